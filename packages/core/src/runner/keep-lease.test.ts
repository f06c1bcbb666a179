import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.ts'
import type { BatchLease } from '../contracts/records.ts'
import type { Store } from '../contracts/store.ts'
import { defaultRunnerOptions } from '../engine/settings.ts'
import type { RunnerContext } from './context.ts'
import { withBatchLease } from './keep-lease.ts'

const lease = { token: 't', expiresAt: 0, batch: { id: 'batch_1', status: 'validating' } } as BatchLease

function context(heartbeat: () => Promise<boolean>): { ctx: RunnerContext; beats: () => number } {
  let beats = 0
  const store = {
    batches: {
      heartbeat: async () => {
        beats++
        return heartbeat()
      },
    },
  } as unknown as Store
  const ctx = {
    store,
    clock: systemClock,
    logger: {},
    options: { ...defaultRunnerOptions, leaseMs: 60 },
  } as unknown as RunnerContext
  return { ctx, beats: () => beats }
}

describe('withBatchLease', () => {
  it('renews the lease while a long step runs, and stops when it ends', async () => {
    const { ctx, beats } = context(async () => true)
    const result = await withBatchLease(ctx, lease, async () => {
      await new Promise((r) => setTimeout(r, 130))
      return 'done'
    })
    expect(result).toBe('done')
    const after = beats()
    expect(after).toBeGreaterThanOrEqual(4)
    await new Promise((r) => setTimeout(r, 60))
    expect(beats()).toBe(after)
  })

  it('stops renewing once the lease is lost, and passes step errors through', async () => {
    const { ctx, beats } = context(async () => false)
    await expect(
      withBatchLease(ctx, lease, async () => {
        await new Promise((r) => setTimeout(r, 100))
        throw new Error('step failed')
      }),
    ).rejects.toThrow('step failed')
    expect(beats()).toBe(1)
  })

  it('never renews a quick step', async () => {
    const { ctx, beats } = context(async () => true)
    await withBatchLease(ctx, lease, async () => 1)
    expect(beats()).toBe(0)
  })
})
