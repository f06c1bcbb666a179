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
 * A limiter over optional RPM and TPM budgets; `undefined` when neither is set. A call costing more
 * tokens than the TPM is charged the whole TPM, so it eventually fits.
 *
 * @example
 * const limiter = rateLimiter(60, 150_000, Date.now())
 * limiter?.check(120, Date.now()).ok // true
 */
export function rateLimiter(
  rpm: number | undefined,
  tpm: number | undefined,
  now: number,
): RateLimiter | undefined {
  const requests = rpm !== undefined && rpm > 0 ? TokenBucket.perMinute(rpm, now) : undefined
  const tokens = tpm !== undefined && tpm > 0 ? TokenBucket.perMinute(tpm, now) : undefined
  if (!requests && !tokens) return undefined
  const headersAt = (at: number): Record<string, string> => ({
    ...(requests ? bucketHeaders('requests', requests, at) : {}),
    ...(tokens ? bucketHeaders('tokens', tokens, at) : {}),
  })
  return {
    check(cost, at) {
      const charged = tokens ? Math.min(cost, tokens.capacity) : cost
      const requestWait = requests ? requests.waitMs(1, at) : 0
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
