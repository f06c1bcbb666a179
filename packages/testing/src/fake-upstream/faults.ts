import { unitInterval } from '@batchkit/core/provider'
import type { FakeFailures } from './types.ts'

const order = ['reset', 'timeout', 'status500', 'status429', 'insufficientQuota'] as const

/**
 * The injected fault of one call, or null: one roll per (seed, key, attempt) against the cumulative
 * fractions, so runs are reproducible and a retried line can succeed.
 *
 * @example
 * rollFault({ status500: 0.1 }, 1, 'batch_1-batch_req_1', 0) // 'status500' or null
 */
export function rollFault(
  failures: FakeFailures | undefined,
  seed: number,
  key: string,
  attempt: number,
): keyof FakeFailures | null {
  if (!failures) return null
  const roll = unitInterval(seed, key, attempt)
  let edge = 0
  for (const fault of order) {
    edge += failures[fault] ?? 0
    if (roll < edge) return fault
  }
  return null
}

/** Whether any failure fraction is set. */
export function hasFailures(failures: FakeFailures | undefined): boolean {
  return failures !== undefined && order.some((fault) => (failures[fault] ?? 0) > 0)
}
