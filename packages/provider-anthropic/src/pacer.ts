import { TokenBucket } from '@batchkit/core/provider'
import type { AnthropicRateLimits, RateLimitBudget } from './rate-limit-headers.ts'

/** What a line costs, estimated before it is sent. */
export interface LineCost {
  inputTokens: number
}

/** The answer to {@link AnthropicPacer.acquire}. */
export type Admission =
  | { ok: true }
  | { ok: false; reason: 'aborted' | 'deadline' | 'wait'; retryAfterMs: number }

/** Settings of an {@link AnthropicPacer}. */
export interface AnthropicPacerOptions {
  /** Requests per minute to stay under (else learned from headers). */
  rpm?: number
  /** Longest a line waits for capacity before it goes back to the runner (default 30 s). */
  maxWaitMs?: number
  /** Time source (tests). */
  now?: () => number
}

/** Sleeps `ms`, or until `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Paces one credential's calls to Anthropic: a token bucket per budget Anthropic reports
 * (`anthropic-ratelimit-{requests,input-tokens,output-tokens}-*`; Anthropic refills continuously, so
 * capacity = limit and rate = limit per minute), reset from every answer's headers, plus a gate that
 * holds all calls until a 429's `retry-after` (or an exhausted budget's reset) has passed. A configured
 * `rpm` seeds the request bucket before any header was seen.
 *
 * @example
 * const pacer = new AnthropicPacer({ rpm: 50 })
 * const admission = await pacer.acquire({ inputTokens: 300 }, deadline, signal)
 */
export class AnthropicPacer {
  readonly #now: () => number
  readonly #maxWaitMs: number
  #requests: TokenBucket | undefined
  #inputTokens: TokenBucket | undefined
  #outputTokens: TokenBucket | undefined
  #blockedUntil = 0

  constructor(options: AnthropicPacerOptions = {}) {
    this.#now = options.now ?? Date.now
    this.#maxWaitMs = options.maxWaitMs ?? 30_000
    if (options.rpm !== undefined) this.#requests = TokenBucket.perMinute(options.rpm, this.#now())
  }

  /** Ms until a line of `cost` may be sent (0: now). */
  waitMs(cost: LineCost): number {
    const now = this.#now()
    return Math.max(
      this.#blockedUntil - now,
      this.#requests?.waitMs(1, now) ?? 0,
      this.#inputTokens?.waitMs(cost.inputTokens, now) ?? 0,
      this.#outputTokens?.waitMs(1, now) ?? 0,
      0,
    )
  }

  /** Waits for capacity and takes it; gives up (without taking) past the deadline or `maxWaitMs`. */
  async acquire(cost: LineCost, deadline: number, signal: AbortSignal): Promise<Admission> {
    const started = this.#now()
    for (;;) {
      if (signal.aborted) return { ok: false, reason: 'aborted', retryAfterMs: 0 }
      const wait = this.waitMs(cost)
      const now = this.#now()
      if (wait === 0) {
        this.#requests?.take(1, now)
        this.#inputTokens?.take(cost.inputTokens, now)
        return { ok: true }
      }
      if (now + wait > deadline) return { ok: false, reason: 'deadline', retryAfterMs: wait }
      if (now + wait - started > this.#maxWaitMs) return { ok: false, reason: 'wait', retryAfterMs: wait }
      await sleep(wait, signal)
    }
  }

  /** Learns from an answer: budgets from its headers, a pause from a 429's `retry-after`, output tokens used. */
  settle(report: {
    limits: AnthropicRateLimits
    retryAfterMs?: number
    status?: number
    outputTokens?: number
  }): void {
    const now = this.#now()
    this.#requests = this.#bucket(this.#requests, report.limits.requests, now)
    this.#inputTokens = this.#bucket(this.#inputTokens, report.limits.inputTokens, now)
    this.#outputTokens = this.#bucket(this.#outputTokens, report.limits.outputTokens, now)
    if (report.outputTokens !== undefined && report.limits.outputTokens === undefined)
      this.#outputTokens?.take(report.outputTokens, now)
    if (report.status === 429 && report.retryAfterMs !== undefined)
      this.#blockedUntil = Math.max(this.#blockedUntil, now + report.retryAfterMs)
  }

  /** A bucket reset to what a budget header reported (an exhausted one also closes the gate to its reset). */
  #bucket(
    bucket: TokenBucket | undefined,
    budget: RateLimitBudget | undefined,
    now: number,
  ): TokenBucket | undefined {
    if (budget === undefined || budget.limit < 1) return bucket
    const rate = budget.limit / 60_000
    if (budget.remaining === 0 && budget.resetAt !== undefined)
      this.#blockedUntil = Math.max(this.#blockedUntil, budget.resetAt)
    if (bucket === undefined) return new TokenBucket(budget.limit, rate, budget.remaining, now)
    bucket.reset(budget.limit, rate, budget.remaining, now)
    return bucket
  }
}
