import type { BatchEndpoint } from '../wire/batch.ts'
import type { BatchMode } from './records.ts'

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
}

/** What a provider answered. */
export type ExecuteResult =
  | {
      type: 'response'
      /** HTTP status; 2xx lines go to the output file, others to the error file. */
      status: number
      /** Parsed JSON body (or the raw text when it was not JSON). */
      body: unknown
      /** The provider's request id (`x-request-id`), when it sent one. */
      requestId?: string
      /** Delay the provider asked for (`retry-after-ms`, `retry-after`), in milliseconds. */
      retryAfterMs?: number
      /** Overrides batchkit's retry decision for this status (default: retry 408, 409, 429, 5xx). */
      retryable?: boolean
    }
  | {
      /** No HTTP answer: connection refused/reset, timeout, DNS failure. */
      type: 'error'
      code: 'request_failed' | 'request_timeout'
      message: string
      /** Default true: network failures are retried. */
      retryable?: boolean
      retryAfterMs?: number
    }

/**
 * A model provider. `execute` runs one line (emulated mode).
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
  /** How batches on this provider run by default. Only `emulated` until a native API is configured. */
  readonly mode?: BatchMode
  /** Most lines in flight at once per worker process (default 16). */
  readonly concurrency?: number
  /** Most attempts per line, the first included (default 5). */
  readonly maxAttempts?: number
  /** Runs one request line against the provider's synchronous endpoint. Must not throw. */
  execute(request: ExecuteRequest): Promise<ExecuteResult>
}
