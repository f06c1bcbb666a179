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

/**
 * A per-minute limit enforced over a shorter window, as OpenAI documents it may be (60,000 rpm enforced as
 * 1,000 per second): `true` for a 1 s window, or the window in ms.
 */
export type QuantizedLimits = boolean | { windowMs: number }

/** The short window of a {@link QuantizedLimits}, in ms; undefined when limits are not quantized. */
export function quantizedWindowMs(quantized: QuantizedLimits | undefined): number | undefined {
  if (quantized === undefined || quantized === false) return undefined
  const windowMs = quantized === true ? 1_000 : quantized.windowMs
  return windowMs > 0 && windowMs < 60_000 ? windowMs : undefined
}

/** The short-window bucket of a per-minute budget: `perMinute × windowMs / 60 s`, same rate, full at start. */
function shortWindow(perMinute: TokenBucket, windowMs: number, now: number): TokenBucket {
  const capacity = Math.max(1, (perMinute.capacity * windowMs) / 60_000)
  return new TokenBucket(capacity, perMinute.ratePerMs, capacity, now)
}

/**
 * A limiter over optional RPM and TPM budgets; `undefined` when neither is set. A call costing more
 * tokens than the TPM is charged the whole TPM, so it eventually fits. With `quantized`, each budget is
 * also enforced over the short window (N/min as N/60 per second by default) while the `x-ratelimit-*`
 * headers keep reporting the per-minute limit, remaining and reset: headers that promise capacity a
 * 429 then refuses.
 *
 * @example
 * const limiter = rateLimiter(60, 150_000, Date.now())
 * limiter?.check(120, Date.now()).ok // true
 * rateLimiter(1_200, undefined, Date.now(), true) // 1,200 rpm enforced as 20 per second
 */
export function rateLimiter(
  rpm: number | undefined,
  tpm: number | undefined,
  now: number,
  quantized?: QuantizedLimits,
): RateLimiter | undefined {
  const requests = rpm !== undefined && rpm > 0 ? TokenBucket.perMinute(rpm, now) : undefined
  const tokens = tpm !== undefined && tpm > 0 ? TokenBucket.perMinute(tpm, now) : undefined
  if (!requests && !tokens) return undefined
  const windowMs = quantizedWindowMs(quantized)
  const shortRequests = requests && windowMs !== undefined ? shortWindow(requests, windowMs, now) : undefined
  const shortTokens = tokens && windowMs !== undefined ? shortWindow(tokens, windowMs, now) : undefined
  const headersAt = (at: number): Record<string, string> => ({
    ...(requests ? bucketHeaders('requests', requests, at) : {}),
    ...(tokens ? bucketHeaders('tokens', tokens, at) : {}),
  })
  return {
    check(cost, at) {
      const charged = tokens ? Math.min(cost, tokens.capacity) : cost
      const shortCharge = shortTokens ? Math.min(charged, shortTokens.capacity) : charged
      const requestWait = Math.max(
        requests ? requests.waitMs(1, at) : 0,
        shortRequests ? shortRequests.waitMs(1, at) : 0,
      )
      const tokenWait = Math.max(
        tokens ? tokens.waitMs(charged, at) : 0,
        shortTokens ? shortTokens.waitMs(shortCharge, at) : 0,
      )
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
      tokens?.take(charged, at)
      shortRequests?.take(1, at)
      shortTokens?.take(shortCharge, at)
      return { ok: true, waitMs: 0, tokens: charged, headers: headersAt(at) }
    },
    headers: headersAt,
    fill(at) {
      requests?.fill(at)
      tokens?.fill(at)
      shortRequests?.fill(at)
      shortTokens?.fill(at)
    },
  }
}
