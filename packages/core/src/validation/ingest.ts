/**
 * Whole-file validation of a batch input file: streams it line by line (never holding the file), checks
 * every line, and produces the request items to run, or the errors for `batch.errors.data`.
 */
import type { Provider } from '../contracts/provider.ts'
import type { RequestItem } from '../contracts/records.ts'
import { JsonlError } from '../jsonl/error.ts'
import { type JsonlLine, JsonlScanner } from '../jsonl/reader.ts'
import type { Limits } from '../limits.ts'
import { type BatchEndpoint, type BatchError, batchEndpoints } from '../wire/batch.ts'
import { ErrorList } from './error-list.ts'
import { isJsonObject, quote } from './json.ts'
import { checkRequestLine } from './line.ts'
import { lineError } from './line-error.ts'
import { requestLineIds } from './line-ids.ts'
import { RequestItemColumns } from './request-item-columns.ts'

export { RequestItemColumns }

/** Options of {@link validateInput}. */
export interface IngestOptions {
  /** The batch endpoint every line's `url` must match. */
  endpoint: BatchEndpoint
  limits: Pick<Limits, 'maxRequestsPerBatch' | 'maxEmbeddingInputs' | 'maxLineBytes' | 'maxValidationErrors'>
  /** Id of each request item (default: random `batch_req_…` ids, as `newRequestLineId` makes). */
  newId?: () => string
  /** The provider's own checks of a line's body (`Provider.checkLine`), run on lines batchkit found valid. */
  checkBody?: Provider['checkLine']
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
  const scan = new IngestScan(options)
  const reader = stream.getReader()
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) {
        scan.end()
        finished = true
        break
      }
      if (!scan.push(value)) break
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
  return scan.result()
}

/** Options of {@link IngestScan}: those of {@link validateInput}, with two for scanning ahead. */
export interface IngestScanOptions extends Omit<IngestOptions, 'endpoint'> {
  /**
   * The batch endpoint; `null` to take it from the first request line's `url` (`/v1/…` or without the
   * prefix). When that line names none, the scan stops there with an `invalid_url` error.
   */
  endpoint: BatchEndpoint | null
  /** Stop at the first error (when only a clean file is of use). */
  stopAtFirstError?: boolean
}

/**
 * {@link validateInput}, synchronous and push-driven: feed the file's chunks with {@link IngestScan.push}
 * while it returns true, then {@link IngestScan.end}, then read {@link IngestScan.result}. With the
 * same bytes, endpoint and limits, it reaches the same result as `validateInput`.
 *
 * @example
 * const scan = new IngestScan({ endpoint: '/v1/embeddings', limits })
 * for (const chunk of chunks) if (!scan.push(chunk)) break
 * scan.end()
 * const { ok, errors, items } = scan.result()
 */
export class IngestScan {
  readonly #run: IngestRun
  readonly #lines: JsonlScanner
  readonly #maxLineBytes: number
  readonly #stopAtFirstError: boolean
  #stopped = false

  constructor(options: IngestScanOptions) {
    this.#run = new IngestRun(options)
    this.#maxLineBytes = options.limits.maxLineBytes
    this.#lines = new JsonlScanner(this.#maxLineBytes)
    this.#stopAtFirstError = options.stopAtFirstError ?? false
  }

  /** The endpoint lines are checked against (taken from the first line when none was given). */
  get endpoint(): BatchEndpoint | null {
    return this.#run.endpoint
  }

  /** True once the result is decided: reading stopped early, or {@link end} was called. */
  get stopped(): boolean {
    return this.#stopped
  }

  /** Checks the lines a chunk completes; false once reading should stop (the result is then decided). */
  push(chunk: Uint8Array): boolean {
    if (this.#stopped) return false
    try {
      this.#lines.push(chunk)
    } catch (error) {
      if (!(error instanceof JsonlError)) throw error
      this.#run.fileError(jsonlErrorToBatchError(error, this.#maxLineBytes))
      return this.#stop()
    }
    return this.#drain()
  }

  /** The end of the file. */
  end(): void {
    if (this.#stopped) return
    this.#lines.end()
    this.#drain()
    this.#stopped = true
  }

  /** The outcome; call it once reading stopped. Draws the request ids. */
  result(): IngestResult {
    return this.#run.result()
  }

  /** {@link result} with the items kept as columns (ids drawn when they are sliced out). */
  outline(): IngestOutline {
    return this.#run.outline()
  }

  #drain(): boolean {
    const run = this.#run
    for (const { lines, error } of this.#lines.take()) {
      for (const line of lines) {
        if (!run.line(line) || (this.#stopAtFirstError && run.failed)) return this.#stop()
      }
      if (error === null) continue
      if (error.code === 'invalid_utf8') {
        if (!run.invalidLine(error, this.#maxLineBytes) || this.#stopAtFirstError) return this.#stop()
      } else {
        run.fileError(jsonlErrorToBatchError(error, this.#maxLineBytes))
        return this.#stop()
      }
    }
    return true
  }

  #stop(): false {
    this.#stopped = true
    return false
  }
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

/** {@link IngestResult} with the items as {@link RequestItemColumns} (what a validation keeps meanwhile). */
export interface IngestOutline extends Omit<IngestResult, 'items'> {
  /** The valid request lines so far; all of them when `ok`. */
  items: RequestItemColumns
}

/** The state of one validation pass. */
class IngestRun {
  /** The batch endpoint; null until the first line names it, when the scan takes it from there. */
  endpoint: BatchEndpoint | null
  private readonly limits: IngestOptions['limits']
  private readonly errors: ErrorList
  private readonly items: RequestItemColumns
  /** First line of each custom_id; holds at most `maxRequestsPerBatch` entries. */
  private readonly seen = new Map<string, number>()
  private readonly checkBody: IngestOptions['checkBody']
  private model: string | null = null
  private modelLine = 0
  private total = 0
  private embeddingInputs = 0

  constructor(options: IngestScanOptions) {
    this.endpoint = options.endpoint
    this.limits = options.limits
    this.checkBody = options.checkBody
    this.items = new RequestItemColumns(options.newId ?? requestLineIds())
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

    let endpoint = this.endpoint
    if (endpoint === null) {
      endpoint = impliedEndpoint(value)
      if (endpoint === null) {
        const message = `Line ${index} names no batch endpoint in 'url', so the file's endpoint is unknown.`
        this.errors.addFinal(lineError('invalid_url', message, 'url', index))
        return false
      }
      this.endpoint = endpoint
    }
    const check = checkRequestLine(value, index, endpoint)
    let valid = check.ok
    if (!check.ok) for (const error of check.errors) if (!this.errors.add(error)) return false
    if (check.ok && this.checkBody) {
      const body = (value as { body: Record<string, unknown> }).body
      for (const problem of this.checkBody(body, endpoint)) {
        valid = false
        const param = `body.${problem.param}`
        if (!this.errors.add(lineError('invalid_request', problem.message, param, index))) return false
      }
    }

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
        const message = `The input file has more than ${max} embedding inputs; the limit is ${max} per ${endpoint} batch.`
        this.errors.addFinal(lineError('too_many_tasks', message, null, null))
        return false
      }
    }

    if (valid && this.errors.errors.length === 0) {
      this.items.push(index, check.customId!, offset, length)
    }
    return true
  }

  /** True once an error was found. */
  get failed(): boolean {
    return this.errors.errors.length > 0
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
    const { items, ...outline } = this.outline()
    return { ...outline, items: outline.ok ? items.slice(0, items.length) : [] }
  }

  outline(): IngestOutline {
    if (this.total === 0 && this.errors.errors.length === 0) {
      this.errors.addFinal(
        lineError('empty_file', 'The input file is empty: it has no request lines.', null, null),
      )
    }
    const errors = this.errors.errors
    return { ok: errors.length === 0, errors, items: this.items, model: this.model, total: this.total }
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

/** The batch endpoint a parsed line's `url` names (with or without `/v1`), or null. */
function impliedEndpoint(value: unknown): BatchEndpoint | null {
  if (!isJsonObject(value) || typeof value.url !== 'string') return null
  const url = value.url
  // The same test as `checkRequestLine`'s, so that the lines checked against it pass it.
  return batchEndpoints.find((endpoint) => url === endpoint || `/v1${url}` === endpoint) ?? null
}

/** `16777216 bytes (16 MiB)`, or just the bytes when not a whole number of MiB. */
function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024)
  return Number.isInteger(mib) ? `${bytes} bytes (${mib} MiB)` : `${bytes} bytes`
}
