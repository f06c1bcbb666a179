import { describe, expect, it } from 'vitest'
import type { Store } from '../contracts/store.ts'
import { createBatchEngine } from '../engine/engine.ts'

/** A store without an outbox (its parts are never called here). */
const storeWithoutOutbox = { files: {}, batches: {}, requests: {} } as unknown as Store

describe('createBatchEngine({ webhooks })', () => {
  it('refuses a store without an outbox', () => {
    expect(() =>
      createBatchEngine({
        store: storeWithoutOutbox,
        providers: [],
        webhooks: { endpoints: [{ url: 'https://hooks.example.com/b', secret: 'whsec_c2VjcmV0' }] },
      }),
    ).toThrow(/no webhook outbox/)
  })

  it('without webhooks, the service lists nothing and replays nothing on such a store', async () => {
    const engine = createBatchEngine({ store: storeWithoutOutbox, providers: [] })
    expect(await engine.webhooks.deliveries({ batchId: 'batch_1' })).toEqual([])
    expect(await engine.webhooks.replay('evt_1')).toBe(0)
  })
})
