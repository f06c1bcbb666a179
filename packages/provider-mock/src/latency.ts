import { unitInterval } from '@batchkit/core/provider'

/**
 * The simulated latency of one attempt, in ms: fixed, or picked in `[min, max]` per (seed, line, attempt).
 *
 * @example
 * pickLatency({ min: 10, max: 50 }, 1, 'batch_req_1', 1) // a value in 10…50, the same on every run
 */
export function pickLatency(
  latency: number | { min: number; max: number } | undefined,
  seed: number,
  requestId: string,
  attempt: number,
): number {
  if (latency === undefined) return 0
  if (typeof latency === 'number') return Math.max(0, latency)
  const min = Math.max(0, Math.min(latency.min, latency.max))
  const max = Math.max(min, latency.max)
  return Math.round(min + unitInterval(seed, 'latency', requestId, attempt) * (max - min))
}
