import { systemClock } from '@batchkit/core'
import { type Clock, TokenBucket } from '@batchkit/core/provider'
import type { HeaderReader } from '../header-reader.ts'
import { type LimitWindow, readRateLimits, refillRate } from './rate-limits.ts'

/** Time for the pacer: injectable so tests are deterministic (batchkit's {@link Clock}). */
export type PacerClock = Clock

/** The wall clock, with `setTimeout` (Web-standard, so Workers too). */
export const wallClock: PacerClock = systemClock

/** Options of a {@link Pacer}. */
export interface PacerOptions {
  /** Configured requests per minute (a cap; the provider's headers may lower it further). */
  rpm?: number
  /** Configured tokens per minute, charged with the estimate before a call and corrected by its `usage`. */
  tpm?: number
  /** Longest a call waits for capacity before it is handed back to the runner to retry later (default 30 s). */
  maxWaitMs?: number
  /** Burst of the configured budgets, as ms of their rate (default 1000: one second's worth). */
  burstMs?: number
  /**
   * This process's share (0…1] of the limits the provider's headers report, when several worker
   * processes pace the same key (e.g. `1 / workers`). Default 1. Configured `rpm`/`tpm` are per process
   * and not scaled.
   */
  share?: number
  clock?: PacerClock
}

/** A call the pacer let through; hand it back with {@link Pacer.settle}. */
export interface Permit {
  /** Estimated tokens charged. */
  cost: number
  /** Admission order: headers of older calls never overwrite what newer ones reported. */
  seq: number
}

/** The answer to {@link Pacer.acquire}. */
export type Admission =
  | { ok: true; permit: Permit }
  | {
      ok: false
      /** `deadline`: capacity only after the batch's deadline; `wait`: longer than `maxWaitMs`; `aborted`. */
      reason: 'deadline' | 'wait' | 'aborted'
      /** When capacity is expected, from now. */
      retryAfterMs: number
    }

/** What came of a paced call. */
export interface CallReport {
  /** HTTP status; undefined when there was no answer. */
  status?: number
  headers?: HeaderReader
  /** `retry-after-ms`/`retry-after` (or the exhausted reset) of the answer. */
  retryAfterMs?: number
  /** False for answers retrying cannot help (`insufficient_quota`): they do not slow the pacer down. */
  retryable?: boolean
  /** Total tokens the answer's `usage` reports. */
  usedTokens?: number
}

/** What the pacer knows, for logs and tests. */
export interface PacerStats {
  admitted: number
  /** 429 answers seen. */
  limited: number
  /** Limits learned from headers (per minute), or from 429s when headers tell nothing. */
  learned: {
    requestsPerMinute?: number
    tokensPerMinute?: number
    adaptivePerMinute?: number
    /**
     * Set once 429s contradicted headers that promised capacity: the fraction of the header-derived rate
     * the pacer now spreads evenly (no bursts), backed off on such 429s and recovering slowly.
     */
    smoothedFraction?: number
  }
}

/** The adaptive limit is lowered at most this often (one 429 burst is one signal). */
const decreaseEveryMs = 250
/** The adaptive limit grows by this fraction per second without 429s. */
const growthPerSecond = 0.02
/** Pause after a 429 that says nothing about when to come back. */
const defaultBlockMs = 1_000
/** Burst of the smoothed budgets, as ms of their rate: calls go nearly evenly spaced. */
const smoothBurstMs = 200
/** A further contradicting 429 lowers the smoothed fraction by this factor at least. */
const smoothBackoff = 0.95
/** Headroom under the rate the provider let through, when that rate sets the smoothed fraction. */
const smoothHeadroom = 0.97
/** The smoothed fraction grows back by this much per second without contradicting 429s (up to 1). */
const smoothGrowthPerSecond = 0.005
/** Lowest smoothed fraction. */
const smoothFloor = 0.02

/**
 * Paces calls of one (provider, credential) so they reach the provider's limit without tripping it.
 * Calls queue FIFO; the head goes when every budget allows it:
 *
 * - configured `rpm`/`tpm`: token buckets refilling at that rate, bursting one second's worth;
 * - the provider's own budgets, mirrored from each answer's headers: level = `remaining` minus calls
 *   still in flight, refill rate = `(limit − remaining) / reset` (so per-minute and per-day limits are
 *   both read right), capacity = `limit`; answers older than the last applied one are ignored;
 * - after a 429 (or a 503 with `retry-after`): nothing goes before `retry-after` (else the reset of
 *   the exhausted budget, else 1 s);
 * - when answers carry no usable headers, a 429 starts an adaptive limit at 90% of the rate the provider
 *   let through since the previous 429 (at most one decrease per 250 ms), growing 2% per second
 *   without 429s (AIMD);
 * - when a 429 answers a call admitted while the headers promised capacity (a per-minute limit enforced
 *   per second, or other processes on the key), the pacer trusts the 429s: from then on it spreads the
 *   header-derived rates evenly (bursting at most 200 ms' worth), at a fraction that starts at 1, drops
 *   on each further such 429 to 97% of the share the provider let this pacer through (at least ×0.95),
 *   and grows back 0.5% per second;
 * - `share` scales the header-derived budgets to this process's part of a key shared by several.
 *
 * A call never waits past its deadline or `maxWaitMs`: it gets `ok: false` with `retryAfterMs`, to be
 * retried later by the runner. Uses only `Date.now`/`setTimeout` (or an injected clock): Workers-safe.
 *
 * @example
 * const pacer = new Pacer({ rpm: 600 })
 * const admission = await pacer.acquire(estimate, { deadline: request.deadline, signal: request.signal })
 * if (admission.ok) pacer.settle(admission.permit, { status: res.status, headers: res.headers })
 */
export class Pacer {
  readonly #clock: PacerClock
  readonly #maxWaitMs: number
  readonly #requests: TokenBucket | undefined
  readonly #tokens: TokenBucket | undefined
  #serverRequests: TokenBucket | undefined
  #serverTokens: TokenBucket | undefined
  #adaptive: TokenBucket | undefined
  readonly #share: number
  /** Smoothed budgets: a fraction of the header-derived rates, spread evenly (after contradicting 429s). */
  #smoothRequests: TokenBucket | undefined
  #smoothTokens: TokenBucket | undefined
  #smoothFraction: number | undefined
  /** Calls admitted after this sequence number were admitted knowing the provider's budgets. */
  #knownAfterSeq: number | undefined
  /** Sequence number and time of the last lowering of the smoothed fraction; successes since. */
  #smoothedSeq = 0
  #smoothedAt = 0
  #smoothSuccesses = 0
  #smoothGrownAt = 0
  #blockedUntil = 0
  #inflight = 0
  #inflightTokens = 0
  #seq = 0
  #appliedSeq = 0
  #admitted = 0
  #limited = 0
  /** Adaptive limiter bookkeeping: successes since the last decrease, and when it was. */
  #successes = 0
  #markAt: number
  #lastDecreaseAt = Number.NEGATIVE_INFINITY
  #grownAt = 0
  #tail: Promise<unknown> = Promise.resolve()
  /** Calls queued in {@link acquire} and not yet admitted or refused. */
  #waiting = 0

  constructor(options: PacerOptions = {}) {
    this.#clock = options.clock ?? wallClock
    this.#maxWaitMs = options.maxWaitMs ?? 30_000
    this.#share = options.share !== undefined && options.share > 0 ? Math.min(1, options.share) : 1
    const burst = options.burstMs ?? 1_000
    const now = this.#clock.now()
    this.#markAt = now
    const configured = (perMinute: number | undefined): TokenBucket | undefined => {
      if (perMinute === undefined || !(perMinute > 0)) return undefined
      const rate = perMinute / 60_000
      const capacity = Math.max(1, rate * burst)
      return new TokenBucket(capacity, rate, capacity, now)
    }
    this.#requests = configured(options.rpm)
    this.#tokens = configured(options.tpm)
  }

  /** Calls admitted and not yet settled. */
  get inflight(): number {
    return this.#inflight
  }

  /**
   * One admission step, without waiting: admits the call (charging every budget) when all allow it, or
   * says how long until they would. Deterministic given the clock; {@link acquire} loops over it.
   *
   * @example
   * const step = pacer.tryAdmit(120, clock.now())
   * if (!step.ok) await clock.sleep(step.waitMs)
   */
  tryAdmit(cost: number, now: number): { ok: true; permit: Permit } | { ok: false; waitMs: number } {
    let wait = Math.max(0, this.#blockedUntil - now)
    for (const budget of [this.#requests, this.#serverRequests, this.#adaptive, this.#smoothRequests]) {
      if (budget) wait = Math.max(wait, budget.waitMs(1, now))
    }
    for (const budget of [this.#tokens, this.#serverTokens, this.#smoothTokens]) {
      if (budget) wait = Math.max(wait, budget.waitMs(cost, now))
    }
    if (wait > 0) return { ok: false, waitMs: wait }
    for (const budget of [this.#requests, this.#serverRequests, this.#adaptive, this.#smoothRequests])
      budget?.take(1, now)
    for (const budget of [this.#tokens, this.#serverTokens, this.#smoothTokens]) budget?.take(cost, now)
    this.#inflight++
    this.#inflightTokens += cost
    this.#admitted++
    return { ok: true, permit: { cost, seq: ++this.#seq } }
  }

  /**
   * Waits (FIFO) until the call may go. Never past `deadline` or `maxWaitMs`: then `ok: false` with the
   * expected wait, so the runner retries the line later instead of holding a slot.
   */
  acquire(cost: number, options: { deadline: number; signal?: AbortSignal }): Promise<Admission> {
    const enqueuedAt = this.#clock.now()
    // Nobody waiting: admit at once when every budget allows it (the common case, and FIFO still holds).
    if (this.#waiting === 0 && options.signal?.aborted !== true) {
      const step = this.tryAdmit(cost, enqueuedAt)
      if (step.ok) return Promise.resolve(step)
    }
    this.#waiting++
    const turn = this.#tail.then(() => this.#admit(cost, options, enqueuedAt))
    const settled = (): void => {
      this.#waiting--
    }
    this.#tail = turn.then(settled, settled)
    return turn
  }

  async #admit(
    cost: number,
    { deadline, signal }: { deadline: number; signal?: AbortSignal },
    enqueuedAt: number,
  ): Promise<Admission> {
    for (;;) {
      if (signal?.aborted) return { ok: false, reason: 'aborted', retryAfterMs: 0 }
      const now = this.#clock.now()
      const step = this.tryAdmit(cost, now)
      if (step.ok) return step
      const retryAfterMs = Math.ceil(step.waitMs)
      if (now + step.waitMs >= deadline) return { ok: false, reason: 'deadline', retryAfterMs }
      if (now - enqueuedAt + step.waitMs > this.#maxWaitMs) return { ok: false, reason: 'wait', retryAfterMs }
      await this.#clock.sleep(Math.max(1, retryAfterMs), signal)
    }
  }

  /** Ms until a call could be admitted now (0 when one could): a retry hint for failed calls. */
  nextSlotMs(now = this.#clock.now()): number {
    let wait = Math.max(0, this.#blockedUntil - now)
    for (const budget of [this.#requests, this.#serverRequests, this.#adaptive, this.#smoothRequests]) {
      if (budget) wait = Math.max(wait, budget.waitMs(1, now))
    }
    return Number.isFinite(wait) ? Math.ceil(wait) : defaultBlockMs
  }

  /** Hands a permit back with what came of the call: learns from headers, 429s and usage. */
  settle(permit: Permit, report: CallReport): void {
    const now = this.#clock.now()
    this.#inflight = Math.max(0, this.#inflight - 1)
    this.#inflightTokens = Math.max(0, this.#inflightTokens - permit.cost)
    let informed = false
    if (report.headers && permit.seq > this.#appliedSeq) {
      informed = this.#learn(report.headers, now)
      if (informed) {
        this.#appliedSeq = permit.seq
        this.#knownAfterSeq ??= this.#seq
        if (this.#smoothFraction !== undefined) this.#retune(now, false)
      }
    }
    const status = report.status
    if (status === 429 && report.retryable !== false) {
      this.#limited++
      this.#block(now, report.retryAfterMs ?? defaultBlockMs)
      const known = this.#knownAfterSeq !== undefined && permit.seq > this.#knownAfterSeq
      if (known && (this.#serverRequests || this.#serverTokens)) {
        if (permit.seq > this.#smoothedSeq) this.#smoothen(now)
      } else if (!informed && !this.#serverRequests && !this.#serverTokens) this.#slowDown(now)
    } else if (status === 503 && report.retryAfterMs !== undefined) {
      this.#block(now, report.retryAfterMs)
    } else if (status !== undefined && status >= 200 && status < 300) {
      this.#successes++
      this.#smoothSuccesses++
      if (this.#smoothFraction !== undefined && this.#smoothFraction < 1) {
        const grown = (smoothGrowthPerSecond * Math.min(1_000, now - this.#smoothGrownAt)) / 1_000
        this.#smoothFraction = Math.min(1, this.#smoothFraction + grown)
        this.#smoothGrownAt = now
        this.#retune(now, false)
      }
      if (this.#adaptive) {
        this.#adaptive.ratePerMs *= 1 + (growthPerSecond * Math.min(1_000, now - this.#grownAt)) / 1_000
        this.#grownAt = now
      }
      if (report.usedTokens !== undefined && this.#tokens) {
        const delta = permit.cost - report.usedTokens
        if (delta > 0) this.#tokens.give(delta, now)
        else this.#tokens.take(-delta, now)
      }
    }
  }

  /** Counters and learned limits. */
  stats(): PacerStats {
    const perMinute = (budget: TokenBucket | undefined): number | undefined =>
      budget ? Math.round(budget.ratePerMs * 60_000 * 1000) / 1000 : undefined
    const learned: PacerStats['learned'] = {}
    const requests = perMinute(this.#serverRequests)
    const tokens = perMinute(this.#serverTokens)
    const adaptive = perMinute(this.#adaptive)
    if (requests !== undefined) learned.requestsPerMinute = requests
    if (tokens !== undefined) learned.tokensPerMinute = tokens
    if (adaptive !== undefined) learned.adaptivePerMinute = adaptive
    if (this.#smoothFraction !== undefined)
      learned.smoothedFraction = Math.round(this.#smoothFraction * 1000) / 1000
    return { admitted: this.#admitted, limited: this.#limited, learned }
  }

  #block(now: number, ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, now + Math.max(0, ms))
  }

  /** Mirrors the provider's budgets from an answer's headers; true when they described one. */
  #learn(headers: HeaderReader, now: number): boolean {
    const info = readRateLimits(headers, now)
    let informed = false
    if (info.requests) {
      const mirrored = this.#mirror(this.#serverRequests, info.requests, this.#inflight, now)
      if (mirrored) this.#serverRequests = mirrored
      informed ||= mirrored !== undefined
    }
    if (info.tokens) {
      const mirrored = this.#mirror(this.#serverTokens, info.tokens, this.#inflightTokens, now)
      if (mirrored) this.#serverTokens = mirrored
      informed ||= mirrored !== undefined
    }
    return informed
  }

  /**
   * The budget mirroring one reported window, or undefined when it reports too little to pace by (then
   * an exhausted `remaining` with a reset still pauses calls until that reset).
   */
  #mirror(
    current: TokenBucket | undefined,
    window: LimitWindow,
    inflight: number,
    now: number,
  ): TokenBucket | undefined {
    const { limit, remaining } = window
    if (limit === null || remaining === null) {
      if (remaining === 0) this.#block(now, window.resetMs ?? defaultBlockMs)
      return undefined
    }
    const share = this.#share
    const refill = refillRate(window)
    const rate = refill === undefined ? (current?.ratePerMs ?? (limit / 60_000) * share) : refill * share
    const level = remaining * share - inflight
    if (!current) return new TokenBucket(limit * share, rate, level, now)
    current.reset(limit * share, rate, level, now)
    return current
  }

  /**
   * A 429 for a call admitted while the headers promised capacity: the limit is enforced over a shorter
   * window than the headers speak of, or others spend the same key. Trust the 429s: spread the
   * header-derived rates evenly, at 1 the first time, then at 97% of the fraction of them the provider let
   * through since the previous lowering (at least ×0.95), once per call admitted after that lowering.
   */
  #smoothen(now: number): void {
    let fraction = 1
    if (this.#smoothFraction !== undefined) {
      fraction = this.#smoothFraction * smoothBackoff
      const elapsed = now - this.#smoothedAt
      const nominal = this.#serverRequests?.ratePerMs
      if (elapsed >= 1_000 && nominal !== undefined && nominal > 0) {
        const letThrough = this.#smoothSuccesses / elapsed / nominal
        fraction = Math.min(fraction, letThrough * smoothHeadroom)
      }
    }
    this.#smoothFraction = Math.max(smoothFloor, fraction)
    this.#smoothedSeq = this.#seq
    this.#smoothedAt = now
    this.#smoothGrownAt = now
    this.#smoothSuccesses = 0
    this.#retune(now, true)
  }

  /** Sets the smoothed budgets to the smoothed fraction of the header-derived rates; `empty` stops bursts. */
  #retune(now: number, empty: boolean): void {
    const fraction = this.#smoothFraction ?? 1
    const tune = (
      smooth: TokenBucket | undefined,
      server: TokenBucket | undefined,
    ): TokenBucket | undefined => {
      if (!server) return smooth
      const rate = server.ratePerMs * fraction
      const capacity = Math.max(1, rate * smoothBurstMs)
      if (!smooth) return new TokenBucket(capacity, rate, 0, now)
      smooth.refill(now)
      smooth.reset(capacity, rate, empty ? Math.min(0, smooth.level) : smooth.level, now)
      return smooth
    }
    this.#smoothRequests = tune(this.#smoothRequests, this.#serverRequests)
    this.#smoothTokens = tune(this.#smoothTokens, this.#serverTokens)
  }

  /**
   * A 429 with nothing to learn from: pace at 90% of the rate the provider let through since the last
   * decrease (when the limit binds, successes come at exactly its rate), at most once per 250 ms.
   */
  #slowDown(now: number): void {
    if (now - this.#lastDecreaseAt < decreaseEveryMs) return
    const elapsed = Math.max(1, now - this.#markAt)
    const measured = Math.max(this.#successes, 1) / elapsed
    const rate = Math.max(1 / 60_000, Math.min(this.#adaptive?.ratePerMs ?? measured, measured) * 0.9)
    if (this.#adaptive) this.#adaptive.reset(Math.max(1, rate * 1_000), rate, 0, now)
    else this.#adaptive = new TokenBucket(Math.max(1, rate * 1_000), rate, 0, now)
    this.#lastDecreaseAt = now
    this.#grownAt = now
    this.#markAt = now
    this.#successes = 0
  }
}
