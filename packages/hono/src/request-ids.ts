import { pooledIds } from '@batchkit/core/store'

/**
 * A generator of `x-request-id` values (`req_` + 32 hex digits, as `newRequestId` makes; 128 random
 * bits) drawn 128 at a time: one `crypto.getRandomValues` call per request showed up at 5% of a busy
 * router's CPU.
 *
 * @example
 * const nextRequestId = requestIds()
 * nextRequestId() // 'req_9f86d081884c7d659a2feaa0c55ad015'
 */
export function requestIds(): () => string {
  return pooledIds('req_', 16, 128)
}
