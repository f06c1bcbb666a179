import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeBacklogConformance } from './backlog.ts'
import { describeBatchConformance } from './batches.ts'
import { describeDueConformance } from './due.ts'
import { describeFileConformance } from './files.ts'
import type { StoreHarness } from './harness.ts'
import { describeRequestConformance } from './requests.ts'
import { describeUsageConformance } from './usage.ts'
import { describeWebhookOutboxConformance } from './webhooks.ts'

export type { StoreHarness } from './harness.ts'

/**
 * The Store conformance suite: every batchkit store must pass it. `makeStore` runs before each test;
 * `cleanup` after it. Tests create their own owners, providers and ids, so a store may be shared
 * between tests (e.g. one database); lease expiry is tested with short real leases (≈ 350 ms waits).
 *
 * @example
 * import { offsetClock } from '@batchkit/core'
 * import { memoryStore } from '@batchkit/store-memory'
 * import { describeStoreConformance } from '@batchkit/testing'
 *
 * describeStoreConformance('memory', () => {
 *   const clock = offsetClock()
 *   return { store: memoryStore({ clock }), clock }
 * })
 */
export function describeStoreConformance(
  name: string,
  makeStore: () => Promise<StoreHarness> | StoreHarness,
): void {
  describe(`Store conformance: ${name}`, () => {
    let current: StoreHarness | undefined
    const harness = (): StoreHarness => {
      if (current === undefined) throw new Error('The store harness is only available inside a test.')
      return current
    }
    beforeEach(async () => {
      current = await makeStore()
    })
    afterEach(async () => {
      const done = current
      current = undefined
      await done?.cleanup?.()
    })
    it('answers ping when it can serve requests', async () => {
      await expect(harness().store.ping?.()).resolves.toBeUndefined()
    })
    describeFileConformance(harness)
    describeBatchConformance(harness)
    describeRequestConformance(harness)
    describeDueConformance(harness)
    describeBacklogConformance(harness)
    describeWebhookOutboxConformance(harness)
    describeUsageConformance(harness)
  })
}
