import { unitInterval } from '@batchkit/core/provider'
import type {
  FakeBatchControl,
  FakeBatchStatus,
  FakeBatchView,
  FakeFileView,
  FakeNativeOptions,
} from './native-types.ts'
import { fakeAnswer } from './responses.ts'

/** A file held by the fake. */
export interface FakeFile {
  id: string
  filename: string
  purpose: string
  content: Buffer
  createdAt: number
  contentLength: number | null
}

/** One error of `batch.errors.data`. */
export interface FakeBatchError {
  code: string
  message: string
  param: string | null
  line: number | null
}

/** A batch held by the fake. Times are Unix seconds. */
export interface FakeBatch {
  id: string
  endpoint: string
  inputFileId: string
  completionWindow: string
  metadata: Record<string, string> | null
  model: string | null
  status: FakeBatchStatus
  createdAt: number
  expiresAt: number
  times: Partial<
    Record<
      'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled',
      number
    >
  >
  /** Input lines (parsed at creation). */
  lines: { customId: string; body: Record<string, unknown>; bytes: number }[]
  processed: number
  output: string[]
  errorLines: string[]
  usage: { input: number; output: number }
  outputFileId: string | null
  errorFileId: string | null
  errors: FakeBatchError[] | null
  /** Epoch ms when it went `in_progress` (auto mode). */
  startedAt: number | null
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)
const hex = (n: number, width = 12): string => n.toString(16).padStart(width, '0')
const expiredMessage = 'This request could not be executed before the completion window expired.'

/**
 * The fake's Files + Batches state: uploads, batches, and the lifecycle a test drives (or that runs by
 * itself with `linesPerSecond`). Lines run through the same answer generator as the synchronous endpoints.
 *
 * @example
 * const store = new FakeNativeStore({ lineErrorRate: 0.1 }, 1)
 */
export class FakeNativeStore implements FakeBatchControl {
  readonly storedFiles = new Map<string, FakeFile>()
  readonly storedBatches = new Map<string, FakeBatch>()
  readonly options: FakeNativeOptions
  readonly #seed: number
  #sequence = 0

  constructor(options: FakeNativeOptions, seed: number) {
    this.options = options
    this.#seed = seed
  }

  /** Stores an uploaded or produced file. */
  addFile(filename: string, purpose: string, content: Buffer, contentLength: number | null): FakeFile {
    const file: FakeFile = {
      id: `file-fake${hex(++this.#sequence)}`,
      filename,
      purpose,
      content,
      createdAt: nowSeconds(),
      contentLength,
    }
    this.storedFiles.set(file.id, file)
    return file
  }

  /** Creates a batch from an uploaded file; a missing file makes it `failed` (as OpenAI does). */
  create(
    inputFileId: string,
    endpoint: string,
    completionWindow: string,
    metadata: Record<string, string> | null,
  ): FakeBatch {
    const created = nowSeconds()
    const batch: FakeBatch = {
      id: `batch_fake${hex(++this.#sequence)}`,
      endpoint,
      inputFileId,
      completionWindow,
      metadata,
      model: null,
      status: 'validating',
      createdAt: created,
      expiresAt: created + 86_400,
      times: {},
      lines: [],
      processed: 0,
      output: [],
      errorLines: [],
      usage: { input: 0, output: 0 },
      outputFileId: null,
      errorFileId: null,
      errors: null,
      startedAt: null,
    }
    const file = this.storedFiles.get(inputFileId)
    if (!file) {
      batch.status = 'failed'
      batch.times.failed = created
      batch.errors = [
        {
          code: 'invalid_request',
          message: `Cannot find file ${inputFileId}.`,
          param: 'file_id',
          line: null,
        },
      ]
    } else {
      for (const text of file.content.toString('utf8').split('\n')) {
        if (!text.trim()) continue
        try {
          const line = JSON.parse(text) as { custom_id?: unknown; body?: unknown }
          const body =
            typeof line.body === 'object' && line.body !== null ? (line.body as Record<string, unknown>) : {}
          batch.lines.push({ customId: String(line.custom_id), body, bytes: JSON.stringify(body).length })
          if (batch.model === null && typeof body.model === 'string') batch.model = body.model
        } catch {
          batch.lines.push({ customId: `invalid-${batch.lines.length + 1}`, body: {}, bytes: 0 })
        }
      }
    }
    this.storedBatches.set(batch.id, batch)
    return batch
  }

  /** Applies auto-run progress (with `linesPerSecond`) before a batch is read. */
  tick(batch: FakeBatch): void {
    const rate = this.options.linesPerSecond
    if (rate === undefined) return
    if (batch.status === 'validating') this.#start(batch)
    if (batch.status === 'in_progress' && batch.startedAt !== null) {
      const due = Math.floor(((Date.now() - batch.startedAt) / 1000) * rate)
      this.#run(batch, Math.max(0, due - batch.processed))
      if (batch.processed >= batch.lines.length) this.#finish(batch, 'completed')
    } else if (batch.status === 'cancelling') {
      this.#finish(batch, 'cancelled')
    }
  }

  /** Marks a batch `cancelling`; false when it already ended (409). */
  cancel(batch: FakeBatch): boolean {
    if (batch.status === 'cancelling' || batch.status === 'cancelled') return true
    if (!['validating', 'in_progress', 'finalizing'].includes(batch.status)) return false
    batch.status = 'cancelling'
    batch.times.cancelling = nowSeconds()
    return true
  }

  #start(batch: FakeBatch): void {
    if (batch.status !== 'validating') return
    batch.status = 'in_progress'
    batch.times.in_progress = nowSeconds()
    batch.startedAt = Date.now()
  }

  /** Runs the next `n` lines through the fake model. */
  #run(batch: FakeBatch, n: number): void {
    const end = Math.min(batch.lines.length, batch.processed + n)
    const created = nowSeconds()
    for (; batch.processed < end; batch.processed++) {
      const line = batch.lines[batch.processed]!
      const id = `batch_req_fake${hex(++this.#sequence)}`
      const requestId = `req_fake${hex(this.#sequence)}`
      const roll = unitInterval(this.#seed, batch.id, line.customId)
      if (roll < (this.options.lineErrorRate ?? 0) || line.bytes === 0) {
        const body = {
          error: {
            message: 'The model produced invalid content.',
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        }
        batch.errorLines.push(
          JSON.stringify({
            id,
            custom_id: line.customId,
            response: { status_code: 400, request_id: requestId, body },
            error: null,
          }),
        )
        continue
      }
      const promptTokens = Math.ceil(line.bytes / 4)
      const answer = fakeAnswer(batch.endpoint, line.body, requestId.slice(4), created, promptTokens)
      const usage = answer.usage as Record<string, number> | undefined
      batch.usage.input += usage?.prompt_tokens ?? usage?.input_tokens ?? 0
      batch.usage.output += usage?.completion_tokens ?? usage?.output_tokens ?? 0
      batch.output.push(
        JSON.stringify({
          id,
          custom_id: line.customId,
          response: { status_code: 200, request_id: requestId, body: answer },
          error: null,
        }),
      )
    }
  }

  /** Writes the result files and enters a terminal status. */
  #finish(batch: FakeBatch, status: 'completed' | 'expired' | 'cancelled'): void {
    if (status === 'expired') {
      for (let i = batch.processed; i < batch.lines.length; i++) {
        const line = batch.lines[i]!
        batch.errorLines.push(
          JSON.stringify({
            id: `batch_req_fake${hex(++this.#sequence)}`,
            custom_id: line.customId,
            response: null,
            error: { code: 'batch_expired', message: expiredMessage },
          }),
        )
      }
    }
    const at = nowSeconds()
    if (status === 'completed') batch.times.finalizing = at
    const write = (lines: string[], kind: string): string | null =>
      lines.length === 0
        ? null
        : this.addFile(
            `${batch.id}_${kind}.jsonl`,
            'batch_output',
            Buffer.from(`${lines.join('\n')}\n`),
            null,
          ).id
    batch.outputFileId = write(batch.output, 'output')
    batch.errorFileId = write(batch.errorLines, 'error')
    batch.status = status
    batch.times[status] = at
  }

  #must(id: string): FakeBatch {
    const batch = this.storedBatches.get(id)
    if (!batch) throw new Error(`fake upstream: no batch ${id}`)
    return batch
  }

  view(batch: FakeBatch): FakeBatchView {
    return {
      id: batch.id,
      status: batch.status,
      inputFileId: batch.inputFileId,
      total: batch.lines.length,
      completed: batch.output.length,
      failed: batch.errorLines.length,
      outputFileId: batch.outputFileId,
      errorFileId: batch.errorFileId,
      metadata: batch.metadata,
    }
  }

  list(): FakeBatchView[] {
    return [...this.storedBatches.values()].map((b) => this.view(b))
  }

  get(id: string): FakeBatchView | undefined {
    const batch = this.storedBatches.get(id)
    return batch ? this.view(batch) : undefined
  }

  advance(id: string, lines?: number): FakeBatchView {
    const batch = this.#must(id)
    if (batch.status === 'validating') this.#start(batch)
    if (batch.status === 'in_progress') this.#run(batch, lines ?? batch.lines.length)
    return this.view(batch)
  }

  complete(id: string): FakeBatchView {
    const batch = this.#must(id)
    this.advance(id)
    if (batch.status === 'in_progress') this.#finish(batch, 'completed')
    return this.view(batch)
  }

  fail(
    id: string,
    errors?: { code: string; message: string; param?: string | null; line?: number | null }[],
  ): FakeBatchView {
    const batch = this.#must(id)
    batch.errors = (
      errors ?? [
        {
          code: 'token_limit_exceeded',
          message:
            'Enqueued token limit reached for fake-model in organization org-fake. Limit: 90,000 enqueued tokens.',
        },
      ]
    ).map((e) => ({ code: e.code, message: e.message, param: e.param ?? null, line: e.line ?? null }))
    batch.status = 'failed'
    batch.times.failed = nowSeconds()
    return this.view(batch)
  }

  expire(id: string): FakeBatchView {
    const batch = this.#must(id)
    if (batch.status === 'validating' || batch.status === 'in_progress' || batch.status === 'finalizing') {
      this.#finish(batch, 'expired')
    }
    return this.view(batch)
  }

  finishCancel(id: string): FakeBatchView {
    const batch = this.#must(id)
    if (batch.status === 'cancelling') this.#finish(batch, 'cancelled')
    return this.view(batch)
  }

  files(): FakeFileView[] {
    return [...this.storedFiles.values()].map((f) => ({
      id: f.id,
      filename: f.filename,
      purpose: f.purpose,
      bytes: f.content.length,
      contentLength: f.contentLength,
    }))
  }
}
