/** Options of {@link mockProvider}. Every knob is deterministic given `seed`. */
export interface MockProviderOptions {
  /** The name clients select it by. Default `mock`. */
  name?: string
  /** Simulated latency per call: a fixed number of ms, or a range picked per (seed, line, attempt). Default 0. */
  latencyMs?: number | { min: number; max: number }
  /** Fraction of calls answered `500` (transient; a retry may succeed). Default 0. */
  failureRate?: number
  /** Fraction of calls answered `429 rate_limit_exceeded` with a retry-after (transient). Default 0. */
  rateLimitRate?: number
  /** Fraction of lines answered `400` (final: decided per line, so every attempt of that line gets it). Default 0. */
  errorRate?: number
  /** Delay the simulated 429s ask for, in ms. Default 200. */
  retryAfterMs?: number
  /** Seed of every random choice. Default 0. */
  seed?: number
  /** Most lines in flight at once per worker (the provider's `concurrency`). Default: the runner's. */
  concurrency?: number
  /** How to wait out the latency; may resolve or reject on abort. Default: `setTimeout` honouring the signal. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Clock for the `created` fields of responses, epoch ms. Default `Date.now`. */
  now?: () => number
}
