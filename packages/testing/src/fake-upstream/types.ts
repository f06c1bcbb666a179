import type { FakeBatchControl, FakeNativeOptions } from './native-types.ts'
import type { QuantizedLimits } from './rate-limiter.ts'

/** Fractions (0…1) of calls that go wrong, rolled per (seed, idempotency key, attempt). */
export interface FakeFailures {
  /** Answered `500 server_error`. */
  status500?: number
  /** Answered `429 rate_limit_exceeded` with `retry-after-ms` and `retry-after`. */
  status429?: number
  /** Answered `429 insufficient_quota` (final on OpenAI: retrying cannot help). */
  insufficientQuota?: number
  /** The socket is destroyed after the request is read: the client sees a connection reset. */
  reset?: number
  /** Never answered: the client must time out. */
  timeout?: number
}

/** Options of {@link startFakeUpstream}. */
export interface FakeUpstreamOptions {
  /** Port on 127.0.0.1; `0` (default) picks a free one. */
  port?: number
  /** Delay before every answer, in ms. Default 0. */
  latencyMs?: number
  /** Fault injection; all fractions default to 0. */
  failures?: FakeFailures
  /** Delay injected 429s ask for, in ms (`retry-after-ms`; `retry-after` is its ceiling in seconds). Default 100. */
  retryAfterMs?: number
  /** Requests per minute (token bucket); sets `x-ratelimit-*-requests` headers and 429s when exceeded. */
  rpm?: number
  /** Tokens per minute (token bucket; a call costs ≈ body bytes / 4 + its max tokens). */
  tpm?: number
  /**
   * Enforce `rpm`/`tpm` over a shorter window too (`true`: N/min as N/60 per second; or `{ windowMs }`),
   * while the `x-ratelimit-*` headers still report the per-minute budgets — as OpenAI documents it may do.
   */
  quantized?: QuantizedLimits
  /** When set, calls must carry `Authorization: Bearer <requireKey>` or get OpenAI's 401. */
  requireKey?: string
  /**
   * Send `x-ratelimit-*` headers (default true). `false` imitates providers that only answer 429s with
   * `retry-after`, so clients must find the limit from the 429s.
   */
  rateLimitHeaders?: boolean
  /** Seed of fault injection. Default 0. */
  seed?: number
  /** Keep every call in `calls` (default true). Turn off in long benchmarks; `stats()` still counts. */
  record?: boolean
  /** The Files + Batches API (native mode): flavour, auto-run pace, line error rate. */
  native?: FakeNativeOptions
}

/** Settings that {@link FakeUpstream.configure} can change while the server runs. */
export type FakeUpstreamSettings = Pick<
  FakeUpstreamOptions,
  'latencyMs' | 'failures' | 'retryAfterMs' | 'requireKey' | 'rateLimitHeaders'
>

/** Which injected or emulated fault answered a call. */
export type FakeFault = keyof FakeFailures | 'rate_limited' | 'unauthorized' | 'not_found' | 'bad_json'

/** One call the fake upstream received. */
export interface RecordedCall {
  /** Request path, e.g. `/v1/chat/completions`. */
  endpoint: string
  /** `x-batchkit-custom-id` header, when the client sent one. */
  customId?: string
  /** `Idempotency-Key` header (batchkit sends `<batchId>-<requestId>`), or null. */
  idempotencyKey: string | null
  /** HTTP status answered; `0` when the connection was reset or never answered. */
  status: number
  /** The fault that produced this answer, if any. */
  fault?: FakeFault
  /** Epoch ms when the answer went out (or when the call arrived, for status 0). */
  at: number
}

/** Counters over every call since start (or the last `reset()`). */
export interface FakeUpstreamStats {
  total: number
  /** Calls per answered status; `'0'` counts resets and timeouts. */
  byStatus: Record<string, number>
  /** Calls per fault. */
  byFault: Partial<Record<FakeFault, number>>
  /** Distinct idempotency keys seen. */
  keys: number
  /** Distinct idempotency keys answered 2xx at least once. */
  succeededKeys: number
  /** 2xx answers beyond the first per idempotency key: 0 when every line succeeded at most once. */
  duplicateSuccesses: number
  /** Calls being processed now (held timeouts included). */
  inFlight: number
  /** Most calls ever in flight at once. */
  maxInFlight: number
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** API base, e.g. `http://127.0.0.1:54321/v1`. */
  url: string
  port: number
  /** Every call, in arrival-of-answer order (empty when `record: false`). */
  calls: RecordedCall[]
  /** Files and batches of the native-mode API, and the controls that move batches along. */
  batches: FakeBatchControl
  stats(): FakeUpstreamStats
  /** Forgets calls, counters, per-key attempts and rate-limit usage. */
  reset(): void
  /** Changes latency, failures or the required key from now on. */
  configure(settings: FakeUpstreamSettings): void
  /** Stops listening and drops open connections (held timeouts included). */
  close(): Promise<void>
}
