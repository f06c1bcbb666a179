import type { ProviderCallDetails } from '../internal-error.ts'
import type { BatchEndpoint, BatchError, BatchStatus, RequestCounts } from '../wire/batch.ts'
import type { BatchMode, UsageTotals } from './records.ts'

/** One request line to run against a provider's ordinary (synchronous) endpoint. */
export interface ExecuteRequest {
  endpoint: BatchEndpoint
  /** The line's `body`, exactly as the client wrote it. */
  body: Record<string, unknown>
  batchId: string
  customId: string
  /** The line's `batch_req_…` id; stable across attempts, so usable as an idempotency key. */
  requestId: string
  /** 1-based attempt number. */
  attempt: number
  /** The caller's provider key, when the batch carries one. */
  credential: string | null
  /** The batch's `expires_at` (epoch ms): never wait (pacing, retry-after) past it. */
  deadline: number
  /** Aborts when the runner shuts down or the call overruns its deadline. */
  signal: AbortSignal
  /**
   * When set, `signal` aborts with a `TimeoutError` this many ms after the call started, at the latest.
   * A provider whose own call timeout is not shorter can rely on `signal` alone instead of arming a
   * timer and a signal of its own for every call.
   */
  timeoutMs?: number
}

/** What a provider answered. */
export type ExecuteResult =
  | {
      type: 'response'
      /** HTTP status; 2xx lines go to the output file, others to the error file. */
      status: number
      /** Parsed JSON body (or the raw text when it was not JSON). */
      body: unknown
      /**
       * The exact JSON text of `body` (parsing it gives `body`), when the provider has it anyway — e.g. the
       * HTTP answer's text it parsed `body` from. The runner then writes it into the output or error line
       * as is instead of serialising `body` again (unless it spans lines: JSONL needs one line per
       * answer). Leave it out when `body` is not JSON (plain text) or the text is not at hand.
       */
      bodyText?: string
      /** The provider's request id (`x-request-id`), when it sent one. */
      requestId?: string
      /** Delay the provider asked for (`retry-after-ms`, `retry-after`), in milliseconds. */
      retryAfterMs?: number
      /** Overrides batchkit's retry decision for this status (default: retry 408, 409, 429, 5xx). */
      retryable?: boolean
    }
  | {
      /**
       * No usable HTTP answer: connection refused/reset, timeout, DNS failure (`request_failed`,
       * `request_timeout`), or an answer larger than the provider accepts to hold (`response_too_large`,
       * not retryable).
       */
      type: 'error'
      code: 'request_failed' | 'request_timeout' | 'response_too_large'
      message: string
      /** Default true: network failures are retried. */
      retryable?: boolean
      retryAfterMs?: number
      /**
       * False when the request never left for the provider (e.g. its rate limit left no capacity in
       * time): a retry then does not count as an attempt, so waiting for capacity never uses up a line's
       * attempts. The batch's deadline still bounds it.
       */
      sent?: false
    }

/** What every call of a {@link NativeBatchApi} gets. */
export interface NativeCallContext {
  /** batchkit's id of the batch (never shown to the provider as an id, but usable in metadata/logs). */
  batchId: string
  /** The caller's provider key, when the batch carries one. */
  credential: string | null
  /** Aborts when the runner shuts down or the call overruns. */
  signal: AbortSignal
}

/** A batch's input file, ready to be streamed to the provider. */
export interface NativeInputFile {
  /** The name the client uploaded it under. */
  filename: string
  /** Exact size in bytes (lets a provider send `content-length` on a streamed upload). */
  bytes: number
  /** Opens the file's content as a fresh stream (each call starts at byte 0). */
  open(): Promise<ReadableStream<Uint8Array>>
}

/** What {@link NativeBatchApi.submit} gets: the validated batch and a way to save progress. */
export interface NativeSubmitContext extends NativeCallContext {
  endpoint: BatchEndpoint
  /** `completion_window` as the client sent it (`24h`). */
  completionWindow: string
  metadata: Record<string, string> | null
  /** Model of the lines (all lines use one), when they named one. */
  model: string | null
  /** Number of request lines (batchkit already validated every one of them). */
  lines: number
  input: NativeInputFile
  /**
   * What an earlier, interrupted submit of this batch saved with {@link checkpoint} (null the first time).
   * A submit that finds e.g. an uploaded file id here must not upload again, and must look for a
   * provider batch it may already have created before creating another one.
   */
  state: Record<string, unknown> | null
  /** Saves provider state durably before a step that spends money or is hard to undo. Throws when the lease was lost. */
  checkpoint(state: Record<string, unknown>): Promise<void>
}

/** What {@link NativeBatchApi.submit} returns once the provider accepted the batch. */
export interface NativeSubmitResult {
  /** The provider's batch id; kept in `providerBatchId`, shown only in `batchkit.provider_batch_id`. */
  providerBatchId: string
  /** Provider state handed back to later calls (JSON-serialisable). */
  state?: Record<string, unknown>
  /** The provider's batch as just created, when the create call returned it. */
  snapshot?: NativeBatchSnapshot
}

/** What every call on an existing provider batch gets. */
export interface NativeBatchContext extends NativeCallContext {
  providerBatchId: string
  /** The provider state last returned by `submit`/`poll`. */
  state: Record<string, unknown> | null
}

/** Epoch-millisecond times a provider reported for its batch, keyed like batchkit's record fields. */
export type NativeBatchTimes = Partial<
  Record<
    | 'inProgressAt'
    | 'finalizingAt'
    | 'completedAt'
    | 'failedAt'
    | 'expiredAt'
    | 'cancellingAt'
    | 'cancelledAt',
    number
  >
>

/**
 * A provider batch as batchkit understands it: status mapped to OpenAI's enum, counts and usage in
 * OpenAI's shape, times in epoch ms. A terminal `status` (`completed`, `failed`, `expired`, `cancelled`)
 * means the provider is done: batchkit then imports `outputFileId`/`errorFileId` and finishes the batch.
 */
export interface NativeBatchSnapshot {
  status: BatchStatus
  /** The provider's own status string (for logs). */
  providerStatus?: string
  /** `request_counts`, when the provider reports them. */
  counts?: RequestCounts
  /** Token usage so far, when the provider reports it. */
  usage?: UsageTotals
  model?: string | null
  /** Provider file ids of the results (read with {@link NativeBatchApi.openFile}; never shown to clients). */
  outputFileId?: string | null
  errorFileId?: string | null
  /** Why the provider failed the batch (`status: 'failed'`). */
  errors?: BatchError[]
  times?: NativeBatchTimes
  /** Replaces the saved provider state, when given. */
  state?: Record<string, unknown>
}

/**
 * A failed native call as the runner sees it: the message and details of the `ProviderCallError` a
 * native provider threw (anything else thrown counts as a retryable failure with its message). Retried
 * with backoff unless `retryable` is `false`; `code` and `message` end up in `batch.errors` when a
 * submit fails for good. Messages never contain the key.
 */
export interface NativeCallFailure extends ProviderCallDetails {
  message: string
}

/**
 * A provider's own batch API (native mode): the provider runs the whole file, usually at half price.
 * batchkit validates the input itself first (clear errors before money is spent), then calls `submit`
 * once, `poll` on a backoff schedule (never on a client's `GET /batches/:id`), `cancel` when the client
 * cancels, and `openFile` to import the results into its own files. Methods throw a `ProviderCallError`
 * on failure; they are called under a fenced batch lease, one at a time per batch.
 *
 * @example
 * const native: NativeBatchApi = {
 *   async submit(ctx) {
 *     const file = await upload(await ctx.input.open(), ctx.credential)
 *     await ctx.checkpoint({ fileId: file.id })
 *     return { providerBatchId: (await createBatch(file.id)).id }
 *   },
 *   async poll(ctx) { return toSnapshot(await getBatch(ctx.providerBatchId)) },
 *   async cancel(ctx) { await cancelBatch(ctx.providerBatchId) },
 *   async openFile(ctx, fileId) { return (await download(fileId)).body },
 * }
 */
export interface NativeBatchApi {
  /** Endpoints the provider's batch API accepts (default: the provider's `endpoints`). */
  readonly endpoints?: readonly BatchEndpoint[]
  /** Poll cadence: first delay and cap in ms (defaults 5 s growing to 60 s). */
  readonly pollIntervalMs?: { initial?: number; max?: number }
  /** Uploads the input and creates the provider batch. Must be safe to call again after an interruption. */
  submit(ctx: NativeSubmitContext): Promise<NativeSubmitResult>
  /** The provider batch now. */
  poll(ctx: NativeBatchContext): Promise<NativeBatchSnapshot>
  /** Asks the provider to cancel; batchkit keeps polling until it reports a terminal status. */
  cancel(ctx: NativeBatchContext): Promise<NativeBatchSnapshot | undefined>
  /** Streams a provider file (output/error results) as JSONL in OpenAI's output-line shape. */
  openFile(ctx: NativeCallContext, providerFileId: string): Promise<ReadableStream<Uint8Array>>
}

/**
 * A model provider. `execute` runs one line (emulated mode); `native`, when present, runs whole
 * batches on the provider's own batch API (native mode).
 *
 * @example
 * const echo: Provider = {
 *   name: 'echo',
 *   async execute(req) { return { type: 'response', status: 200, body: { echo: req.body } } },
 * }
 */
export interface Provider {
  /** The name clients select it by (`x-provider: <name>`). */
  readonly name: string
  /** Endpoints it can run; all of batchkit's by default. */
  readonly endpoints?: readonly BatchEndpoint[]
  /** Whether it needs the caller's key: `required` (default), `optional`, or `none`. */
  readonly credential?: 'required' | 'optional' | 'none'
  /** How batches on this provider run by default (`emulated`); `native` needs {@link native}. */
  readonly mode?: BatchMode
  /** Most lines in flight at once per worker process (default 16). */
  readonly concurrency?: number
  /** Most attempts per line, the first included (default 5). */
  readonly maxAttempts?: number
  /**
   * Provider-specific checks of one request line's `body`, run while the batch validates (both modes),
   * after batchkit's own checks passed: each problem found fails the batch with an `invalid_request` error
   * on that line, before anything is sent. `param` is the dotted path inside the body (`temperature`,
   * `messages[2].content`). Must not throw. Use it for what the provider cannot express (e.g. `n > 1`).
   */
  checkLine?(
    body: Record<string, unknown>,
    endpoint: BatchEndpoint,
  ): readonly { param: string; message: string }[]
  /** Runs one request line against the provider's synchronous endpoint. Must not throw. */
  execute(request: ExecuteRequest): Promise<ExecuteResult>
  /** The provider's own batch API, when it has one (enables `mode: 'native'`). */
  readonly native?: NativeBatchApi
}
