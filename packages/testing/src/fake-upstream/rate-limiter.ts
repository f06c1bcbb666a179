import { TokenBucket } from '@batchkit/core/provider'
import { formatGoDuration } from './go-duration.ts'

/** The verdict on one call under RPM/TPM limits. */
export interface RateDecision {
  /** Whether the call may proceed (its request and tokens were taken). */
  ok: boolean
  /** The budget that ran out, when not ok. */
  exceeded?: 'requests' | 'tokens'
  /** Ms until the call would fit, when not ok. */
  waitMs: number
  /** Requested tokens (capped to the TPM). */
  tokens: number
  /** OpenAI's `x-ratelimit-*` headers, as of after this call. */
  headers: Record<string, string>
}

/** RPM and TPM buckets with OpenAI's header semantics. */
export interface RateLimiter {
  check(tokens: number, now: number): RateDecision
  /** The current `x-ratelimit-*` headers, without taking anything. */
  headers(now: number): Record<string, string>
  /** Refills both buckets. */
  fill(now: number): void
}

function bucketHeaders(
  kind: 'requests' | 'tokens',
  bucket: TokenBucket,
  now: number,
): Record<string, string> {
  return {
    [`x-ratelimit-limit-${kind}`]: String(bucket.capacity),
    [`x-ratelimit-remaining-${kind}`]: String(bucket.remaining(now)),
    [`x-ratelimit-reset-${kind}`]: formatGoDuration(bucket.fullInMs(now)),
  }
}

/** Extra enforcement of a {@link rateLimiter}. */
export interface RateLimiterOptions {
  /**
   * The "quantized" dialect: also enforce the RPM over fixed windows of this many ms (aligned to the
   * epoch), allowing `rpm × window / 60 000` calls (at least 1) in each, while the headers keep speaking
   * per minute — as OpenAI documents that 60,000 rpm may be enforced as 1,000 per second.
   */
  quantizedWindowMs?: number
}

/** A fixed-window counter: at most `allowance` calls per `windowMs`, windows aligned to the epoch. */
function fixedWindow(allowance: number, windowMs: number) {
  let windowStart = Number.NEGATIVE_INFINITY
  let used = 0
  return {
    /** Ms until a call fits (0 when it fits now). */
    waitMs(at: number): number {
      const start = Math.floor(at / windowMs) * windowMs
      if (start !== windowStart) return 0
      return used < allowance ? 0 : start + windowMs - at
    },
    take(at: number): void {
      const start = Math.floor(at / windowMs) * windowMs
      if (start !== windowStart) {
        windowStart = start
        used = 0
      }
      used++
    },
  }
}

/**
 * A limiter over optional RPM and TPM budgets; `undefined` when neither is set. A call costing more
 * tokens than the TPM is charged the whole TPM, so it eventually fits. With `quantizedWindowMs` the RPM
 * is also enforced per short window while the headers report the per-minute budget.
 *
 * @example
 * const limiter = rateLimiter(60, 150_000, Date.now())
 * limiter?.check(120, Date.now()).ok // true
 * const quantized = rateLimiter(1_200, undefined, Date.now(), { quantizedWindowMs: 1_000 }) // 20 per second
 */
export function rateLimiter(
  rpm: number | undefined,
  tpm: number | undefined,
  now: number,
  options: RateLimiterOptions = {},
): RateLimiter | undefined {
  const requests = rpm !== undefined && rpm > 0 ? TokenBucket.perMinute(rpm, now) : undefined
  const tokens = tpm !== undefined && tpm > 0 ? TokenBucket.perMinute(tpm, now) : undefined
  if (!requests && !tokens) return undefined
  const windowMs = options.quantizedWindowMs
  const quantum =
    requests && rpm !== undefined && windowMs !== undefined && windowMs > 0
      ? fixedWindow(Math.max(1, Math.floor((rpm * windowMs) / 60_000)), windowMs)
      : undefined
  const headersAt = (at: number): Record<string, string> => ({
    ...(requests ? bucketHeaders('requests', requests, at) : {}),
    ...(tokens ? bucketHeaders('tokens', tokens, at) : {}),
  })
  return {
    check(cost, at) {
      const charged = tokens ? Math.min(cost, tokens.capacity) : cost
      const requestWait = requests ? Math.max(requests.waitMs(1, at), quantum?.waitMs(at) ?? 0) : 0
      const tokenWait = tokens ? tokens.waitMs(charged, at) : 0
      if (requestWait > 0 || tokenWait > 0) {
        return {
          ok: false,
          exceeded: requestWait > 0 ? 'requests' : 'tokens',
          waitMs: Math.max(requestWait, tokenWait),
          tokens: charged,
          headers: headersAt(at),
        }
      }
      requests?.take(1, at)
      quantum?.take(at)
      tokens?.take(charged, at)
      return { ok: true, waitMs: 0, tokens: charged, headers: headersAt(at) }
    },
    headers: headersAt,
    fill(at) {
      requests?.fill(at)
      tokens?.fill(at)
    },
  }
}
