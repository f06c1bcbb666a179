import type { RequestLease, RequestOutcome, Store, UsageTotals } from '@batchkit/core/store'
import { longLease } from './fixtures.ts'

/**
 * Claims lines of `provider` only: claims are global and a shared database may hold other lines.
 *
 * @example
 * const lease = await claim(store, provider, clock.now(), 10)
 */
export const claim = (
  store: Store,
  provider: string,
  now: number,
  limit: number,
  leaseMs: number = longLease,
  workerId = 'w1',
): Promise<RequestLease | null> =>
  store.requests.claim({ workerId, now, leaseMs, limit, providers: [provider] })

/**
 * The lines of a lease as `batchId#index` (none for no lease).
 *
 * @example
 * lineIds(lease) // ['batch_1#1', 'batch_1#2']
 */
export const lineIds = (lease: RequestLease | null): string[] =>
  (lease?.requests ?? []).map((r) => `${r.batchId}#${r.index}`)

/**
 * Usage totals that tell sums apart: each counter a different power of ten times `n`.
 *
 * @example
 * usage(2) // { inputTokens: 2, cachedTokens: 20, outputTokens: 200, … }
 */
export const usage = (n: number): UsageTotals => ({
  inputTokens: n,
  cachedTokens: n * 10,
  outputTokens: n * 100,
  reasoningTokens: n * 1000,
  totalTokens: n * 10000,
})

/**
 * A `succeeded` outcome of line `index` (line text `{"ok":index}`), with `u` as its usage when given.
 *
 * @example
 * await store.requests.record(lease.token, [succeeded(batch.id, 1, usage(1))], now)
 */
export const succeeded = (batchId: string, index: number, u?: UsageTotals): RequestOutcome => ({
  batchId,
  index,
  kind: 'succeeded',
  line: `{"ok":${index}}`,
  ...(u === undefined ? {} : { usage: u }),
})

/**
 * A `failed` outcome of line `index` (line text `{"failed":index}`).
 *
 * @example
 * await store.requests.record(lease.token, [failed(batch.id, 2)], now)
 */
export const failed = (batchId: string, index: number): RequestOutcome => ({
  batchId,
  index,
  kind: 'failed',
  line: `{"failed":${index}}`,
})
