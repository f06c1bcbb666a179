/**
 * Whole-file validation of a batch input file: streams it line by line (never holding the file), checks
 * every line, and produces the request items to run, or the errors for `batch.errors.data`.
 */
import type { RequestItem } from '../contracts/records.ts'
import { JsonlError } from '../jsonl/error.ts'
import { type JsonlLine, readJsonlLines } from '../jsonl/reader.ts'
import type { Limits } from '../limits.ts'
import type { BatchEndpoint, BatchError } from '../wire/batch.ts'
import { ErrorList } from './error-list.ts'
import { quote } from './json.ts'
import { checkRequestLine } from './line.ts'
import { lineError } from './line-error.ts'
import { requestLineIds } from './line-ids.ts'

/** Options of {@link validateInput}. */
export interface IngestOptions {
  /** The batch endpoint every line's `url` must match. */
  endpoint: BatchEndpoint
  limits: Pick<Limits, 'maxRequestsPerBatch' | 'maxEmbeddingInputs' | 'maxLineBytes' | 'maxValidationErrors'>
  /** Id of each request item (default: random `batch_req_…` ids, as `newRequestLineId` makes). */
  newId?: () => string
}

/** The outcome of {@link validateInput}. */
export interface IngestResult {
  /** True when the file has no errors. */
  ok: boolean
  /** At most `maxValidationErrors` entries, in file order; file-level errors have `line: null`. */
  errors: BatchError[]
  /** One item per request line, in file order; empty when not `ok`. */
  items: RequestItem[]
  /** The model all lines use (the first line's model when some differ); null when no line named one. */
  model: string | null
  /** Number of request (non-blank) lines read; all of them when `ok`. */
  total: number
}

/**
 * Validates a batch input file read from `stream`: UTF-8 without BOM, one JSON request per line (blank
 * lines are skipped), each line checked by `checkRequestLine`, unique `custom_id`s, one model for all
 * lines, at most `maxRequestsPerBatch` lines (and `maxEmbeddingInputs` inputs for `/v1/embeddings`).
 *
 * Reading stops early, and the stream is cancelled, on: a BOM, a line over `maxLineBytes`, too many
 * requests or embedding inputs, or when `maxValidationErrors` is reached (the last entry is then a
 * `too_many_errors` note). A line that is not valid UTF-8 is reported and reading goes on, since lines
 * are split on LF bytes, which UTF-8 never uses inside a character. Errors of the stream itself (storage
 * failures) are rethrown, not reported as validation errors.
 */
export async function validateInput(
  stream: ReadableStream<Uint8Array>,
  options: IngestOptions,
): Promise<IngestResult> {
  const run = new IngestRun(options)
  const maxLineBytes = options.limits.maxLineBytes
  try {
    const lines = readJsonlLines(stream, {
      maxLineBytes,
      onInvalidUtf8: (error) => {
        if (!run.invalidLine(error, maxLineBytes)) throw stopReading
      },
    })
    for await (const line of lines) if (!run.line(line)) break
  } catch (error) {
    if (error instanceof JsonlError) run.fileError(jsonlErrorToBatchError(error, maxLineBytes))
    else if (error !== stopReading) throw error
  }
  return run.result()
}

/**
 * The `batch.errors.data` entry for a {@link JsonlError}: `invalid_file_format` for a BOM (line 1) or a
 * line that is not UTF-8, `line_too_long` for a line over `maxLineBytes`.
 */
export function jsonlErrorToBatchError(error: JsonlError, maxLineBytes: number): BatchError {
  switch (error.code) {
    case 'bom':
      return lineError(
        'invalid_file_format',
        'The input file starts with a UTF-8 byte order mark (BOM), which the Batch API does not accept. ' +
          'Save the file as UTF-8 without BOM and upload it again.',
        null,
        1,
      )
    case 'invalid_utf8':
      return lineError('invalid_file_format', `Line ${error.line} is not valid UTF-8.`, null, error.line)
    case 'line_too_long':
      return lineError(
        'line_too_long',
        `Line ${error.line} is longer than the limit of ${formatBytes(maxLineBytes)}.`,
        null,
        error.line,
      )
  }
}

/** Thrown from the reader's callback to stop reading; never escapes {@link validateInput}. */
const stopReading = new Error('stop reading')

/** The state of one validation pass. */
class IngestRun {
  private readonly endpoint: BatchEndpoint
  private readonly limits: IngestOptions['limits']
  private readonly newId: () => string
  private readonly errors: ErrorList
  private readonly items: RequestItem[] = []
  /** First line of each custom_id; holds at most `maxRequestsPerBatch` entries. */
  private readonly seen = new Map<string, number>()
  private model: string | null = null
  private modelLine = 0
  private total = 0
  private embeddingInputs = 0

  constructor(options: IngestOptions) {
    this.endpoint = options.endpoint
    this.limits = options.limits
    this.newId = options.newId ?? requestLineIds()
    this.errors = new ErrorList(options.limits.maxValidationErrors)
  }

  /** Checks one line; false when reading should stop. */
  line({ index, offset, length, text }: JsonlLine): boolean {
    if (!this.countLine()) return false
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return this.errors.add(
        lineError('invalid_json_line', 'This line is not parseable as valid JSON.', null, index),
      )
    }

    const check = checkRequestLine(value, index, this.endpoint)
    let valid = check.ok
    if (!check.ok) for (const error of check.errors) if (!this.errors.add(error)) return false

    if (check.customId !== null) {
      const first = this.seen.get(check.customId)
      if (first === undefined) this.seen.set(check.customId, index)
      else {
        valid = false
        const message = `The custom_id ${quote(check.customId)} is already used on line ${first}; each custom_id must be unique within a batch.`
        if (!this.errors.add(lineError('duplicate_custom_id', message, 'custom_id', index))) return false
      }
    }

    if (check.model !== null) {
      if (this.model === null) {
        this.model = check.model
        this.modelLine = index
      } else if (check.model !== this.model) {
        valid = false
        const message = `All requests in a batch must use the same model; line ${this.modelLine} uses ${quote(this.model)}, this line uses ${quote(check.model)}.`
        if (!this.errors.add(lineError('mismatched_model', message, 'body.model', index))) return false
      }
    }

    if (check.ok && check.embeddingInputs > 0) {
      this.embeddingInputs += check.embeddingInputs
      const max = this.limits.maxEmbeddingInputs
      if (this.embeddingInputs > max) {
        const message = `The input file has more than ${max} embedding inputs; the limit is ${max} per ${this.endpoint} batch.`
        this.errors.addFinal(lineError('too_many_tasks', message, null, null))
        return false
      }
    }

    if (valid && this.errors.errors.length === 0) {
      this.items.push({ index, id: this.newId(), customId: check.customId!, offset, length })
    }
    return true
  }

  /** Records a line that is not valid UTF-8; false when reading should stop. */
  invalidLine(error: JsonlError, maxLineBytes: number): boolean {
    if (!this.countLine()) return false
    return this.errors.add(jsonlErrorToBatchError(error, maxLineBytes))
  }

  /** Records an error that ended reading. */
  fileError(error: BatchError): void {
    this.errors.addFinal(error)
  }

  result(): IngestResult {
    if (this.total === 0 && this.errors.errors.length === 0) {
      this.errors.addFinal(
        lineError('empty_file', 'The input file is empty: it has no request lines.', null, null),
      )
    }
    const errors = this.errors.errors
    const ok = errors.length === 0
    return { ok, errors, items: ok ? this.items : [], model: this.model, total: this.total }
  }

  /** Counts a request line; false (with a `too_many_tasks` error) once there are too many. */
  private countLine(): boolean {
    this.total++
    const max = this.limits.maxRequestsPerBatch
    if (this.total <= max) return true
    const message = `The input file has more than ${max} requests; the limit is ${max} per batch.`
    this.errors.addFinal(lineError('too_many_tasks', message, null, null))
    return false
  }
}

/** `16777216 bytes (16 MiB)`, or just the bytes when not a whole number of MiB. */
function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024)
  return Number.isInteger(mib) ? `${bytes} bytes (${mib} MiB)` : `${bytes} bytes`
}
