/** Retry backoff settings, in milliseconds. */
export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

/**
 * Capped exponential backoff with full jitter: a random delay in `[d/2, d]` where
 * `d = min(maxMs, baseMs · 2^(attempt-1))`. `random` is injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** A provider-requested delay with up to 10% added jitter, so many lines told to wait don't return at once. */
export function jitterRetryAfter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (1 + random() * 0.1))
}
