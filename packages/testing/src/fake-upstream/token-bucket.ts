/** A per-minute budget that refills continuously, like OpenAI's RPM/TPM limits. */
export interface TokenBucket {
  readonly capacity: number
  /** Takes `n` if available now; returns whether it did. */
  take(n: number, now: number): boolean
  /** Whole units left now. */
  remaining(now: number): number
  /** Ms until `n` units are available (0 when they are). */
  waitMs(n: number, now: number): number
  /** Ms until the bucket is full again. */
  resetMs(now: number): number
  /** Refills to full. */
  fill(now: number): void
}

/**
 * A bucket of `perMinute` units, full at start, refilling at `perMinute` per 60 s.
 *
 * @example
 * const rpm = tokenBucket(60, Date.now())
 * rpm.take(1, Date.now()) // true
 */
export function tokenBucket(perMinute: number, now: number): TokenBucket {
  const capacity = Math.max(1, perMinute)
  const perMs = capacity / 60_000
  let level = capacity
  let updatedAt = now
  const refill = (at: number): void => {
    if (at > updatedAt) level = Math.min(capacity, level + (at - updatedAt) * perMs)
    updatedAt = Math.max(updatedAt, at)
  }
  return {
    capacity,
    take(n, at) {
      refill(at)
      if (level + 1e-9 < n) return false
      level -= n
      return true
    },
    remaining(at) {
      refill(at)
      return Math.floor(level + 1e-9)
    },
    waitMs(n, at) {
      refill(at)
      return level >= n ? 0 : (n - level) / perMs
    },
    resetMs(at) {
      refill(at)
      return (capacity - level) / perMs
    },
    fill(at) {
      level = capacity
      updatedAt = at
    },
  }
}
