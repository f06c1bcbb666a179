import type { FakeMessageBatches } from './batches.ts'

/** A fault the fake answers instead of a message. */
export interface FakeAnthropicFault {
  /** 429 (`rate_limit_error`), 529 (`overloaded_error`), 500 (`api_error`) or any other status. */
  status: number
  /** `retry-after` in seconds, when set. */
  retryAfterSeconds?: number
}

/** Options of `startFakeAnthropic`. */
export interface FakeAnthropicOptions {
  /** The only `x-api-key` accepted (others get a 401 `authentication_error`); any key when unset. */
  requireKey?: string
  /** Requests per minute per key; beyond it a 429 with `retry-after`. Reported in `anthropic-ratelimit-requests-*`. Default 1000. */
  rpm?: number
  /** Faults answered, in order, by the first calls (one each). */
  faults?: FakeAnthropicFault[]
  /** End message batches as soon as they are read (default true); else only on `batches.end(id)`. */
  autoEndBatches?: boolean
  /** Port to listen on (default: any free one). */
  port?: number
}

/** One call the fake received. */
export interface FakeAnthropicCall {
  path: string
  apiKey: string | null
  version: string | null
  /** The parsed request body (undefined when it was not JSON). */
  body: unknown
  /** Status answered. */
  status: number
}

/** A running fake Anthropic API. */
export interface FakeAnthropic {
  /** Base URL (`http://127.0.0.1:<port>`), for `anthropic({ baseURL })`. */
  readonly url: string
  /** Every call so far, in arrival order. */
  readonly calls: FakeAnthropicCall[]
  /** The Message Batches the fake holds, and the control to end them. */
  readonly batches: FakeMessageBatches
  /** Queues faults answered by the next calls, in order. */
  injectFaults(...faults: FakeAnthropicFault[]): void
  close(): Promise<void>
}
