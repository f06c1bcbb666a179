/**
 * A continuously refilling budget (a token bucket): `capacity` units, refilled at `ratePerMs`. The level
 * may go below zero — a debt that later callers wait out — so a call costing more than the capacity
 * still gets through, and estimates that turn out low can be charged after the fact.
 *
 * @example
 * const rpm = new Budget(10, 600 / 60_000, 10, Date.now()) // 600 per minute, bursts of 10
 * if (rpm.waitMs(1, Date.now()) === 0) rpm.take(1, Date.now())
 */
export class Budget {
  capacity: number
  ratePerMs: number
  level: number
  at: number

  constructor(capacity: number, ratePerMs: number, level: number, at: number) {
    this.capacity = Math.max(1, capacity)
    this.ratePerMs = Math.max(0, ratePerMs)
    this.level = Math.min(this.capacity, level)
    this.at = at
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

  /** Resets level, capacity and rate from what the server reported. */
  reset(capacity: number, ratePerMs: number, level: number, now: number): void {
    this.capacity = Math.max(1, capacity)
    this.ratePerMs = Math.max(0, ratePerMs)
    this.level = Math.min(this.capacity, level)
    this.at = now
  }
}
