/**
 * A continuously refilling budget: `capacity` units, refilled at `ratePerMs`, the one token bucket of
 * batchkit (provider pacing, the fake upstream's RPM/TPM limits). The level may go below zero — a debt
 * that later callers wait out — so a call costing more than the capacity still gets through once the
 * bucket is full, and estimates that turn out low can be charged after the fact.
 *
 * @example
 * const rpm = TokenBucket.perMinute(600, Date.now()) // 600 per minute, full at start
 * if (rpm.waitMs(1, Date.now()) === 0) rpm.take(1, Date.now())
 */
export class TokenBucket {
  /** Most units the bucket holds (at least 1). */
  capacity: number
  /** Units added per ms. */
  ratePerMs: number
  /** Units available as of {@link at} (negative while in debt). */
  level: number
  /** Time of the last update, in the caller's clock (ms). */
  at: number

  constructor(capacity: number, ratePerMs: number, level: number, at: number) {
    this.capacity = Math.max(1, capacity)
    this.ratePerMs = Math.max(0, ratePerMs)
    this.level = Math.min(this.capacity, level)
    this.at = at
  }

  /**
   * A full bucket of `perMinute` units refilling at `perMinute` per 60 s, like OpenAI's RPM/TPM limits.
   *
   * @example
   * const tpm = TokenBucket.perMinute(150_000, Date.now())
   */
  static perMinute(perMinute: number, now: number): TokenBucket {
    const capacity = Math.max(1, perMinute)
    return new TokenBucket(capacity, capacity / 60_000, capacity, now)
  }

  /** Adds what refilled since the last update. */
  refill(now: number): void {
    if (now > this.at) this.level = Math.min(this.capacity, this.level + (now - this.at) * this.ratePerMs)
    this.at = Math.max(this.at, now)
  }

  /** Ms until `n` units (at most the capacity) are available; 0 when they are now. */
  waitMs(n: number, now: number): number {
    this.refill(now)
    const need = Math.min(n, this.capacity)
    if (this.level >= need) return 0
    return this.ratePerMs > 0 ? (need - this.level) / this.ratePerMs : Number.POSITIVE_INFINITY
  }

  /** Takes `n` units (the level may go negative). */
  take(n: number, now: number): void {
    this.refill(now)
    this.level -= n
  }

  /** Gives back `n` units (a refund of an over-estimate), never above the capacity. */
  give(n: number, now: number): void {
    this.refill(now)
    this.level = Math.min(this.capacity, this.level + n)
  }

  /** Whole units available now (0 while in debt). */
  remaining(now: number): number {
    this.refill(now)
    return Math.max(0, Math.floor(this.level + 1e-9))
  }

  /** Ms until the bucket is full again (0 when it is). */
  fullInMs(now: number): number {
    this.refill(now)
    if (this.level >= this.capacity) return 0
    return this.ratePerMs > 0 ? (this.capacity - this.level) / this.ratePerMs : Number.POSITIVE_INFINITY
  }

  /** Fills the bucket to its capacity. */
  fill(now: number): void {
    this.level = this.capacity
    this.at = now
  }

  /** Resets capacity, rate and level (e.g. from what a server reported). */
  reset(capacity: number, ratePerMs: number, level: number, now: number): void {
    this.capacity = Math.max(1, capacity)
    this.ratePerMs = Math.max(0, ratePerMs)
    this.level = Math.min(this.capacity, level)
    this.at = now
  }
}
