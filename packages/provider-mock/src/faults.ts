import { unitInterval } from '@batchkit/core/provider'

/** What the simulated provider does with one attempt of one line. */
export type MockFault = 'none' | 'invalid_request' | 'rate_limited' | 'server_error'

/** The failure fractions of a {@link rollFault} call. */
export interface FaultRates {
  errorRate: number
  rateLimitRate: number
  failureRate: number
}

/**
 * Decides the fate of one attempt, deterministically.
 * `errorRate` is rolled per line (a bad request stays bad on every attempt); the transient
 * 429/500 faults are rolled per (line, attempt), so a retried line can succeed.
 *
 * @example
 * rollFault({ errorRate: 0, rateLimitRate: 0, failureRate: 0.1 }, 7, 'batch_req_1', 1) // 'none' or 'server_error'
 */
export function rollFault(rates: FaultRates, seed: number, requestId: string, attempt: number): MockFault {
  if (rates.errorRate > 0 && unitInterval(seed, 'line', requestId) < rates.errorRate) return 'invalid_request'
  if (rates.rateLimitRate <= 0 && rates.failureRate <= 0) return 'none'
  const roll = unitInterval(seed, 'attempt', requestId, attempt)
  if (roll < rates.rateLimitRate) return 'rate_limited'
  if (roll < rates.rateLimitRate + rates.failureRate) return 'server_error'
  return 'none'
}
