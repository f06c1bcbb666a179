import { pooledIds } from '../pooled-ids.ts'

/**
 * A generator of `batch_req_…` ids with the same format and entropy (96 random bits) as
 * `newRequestLineId`, for validating a 50,000-line file (random bytes drawn 341 ids, 4 KiB, at a time).
 *
 * @example
 * const nextId = requestLineIds()
 * nextId() // 'batch_req_5f0c2a…'
 */
export function requestLineIds(): () => string {
  return pooledIds('batch_req_', 12, 341)
}
