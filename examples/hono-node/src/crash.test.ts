import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callsPerKey,
  expectConsistentFiles,
  type ProcessHarness,
  processHarness,
} from './process-fixtures.ts'
import { type RunningProcess, startWorker, until } from './processes.ts'

/**
 * Crash recovery with real processes: `kill -9` of a worker in the middle of a batch, then a new worker.
 * Short leases (BATCHKIT_LEASE_MS) so the dead worker's lines come back within seconds.
 */
describe('kill -9 of a worker mid-batch', () => {
  let h: ProcessHarness
  const running: RunningProcess[] = []
  beforeAll(async () => {
    h = await processHarness('crash', 10)
  })
  /** Idempotency keys (`<batch>-<batch_req id>`) of the lines whose outcome the store has recorded. */
  async function recordedKeys(batchId: string): Promise<Set<string>> {
    const store = h.db.store()
    const keys = new Set<string>()
    try {
      for (const kind of ['succeeded', 'failed'] as const) {
        for (let after = 0; ; ) {
          const page = await store.requests.readOutcomes(batchId, kind, after, 1_000)
          if (page.length === 0) break
          for (const row of page) keys.add(`${batchId}-${(JSON.parse(row.line) as { id: string }).id}`)
          after = page[page.length - 1]!.index
        }
      }
    } finally {
      await store.close()
    }
    return keys
  }
  afterAll(async () => {
    await Promise.all(running.map((w) => w.stop('SIGKILL')))
    await h?.close()
  })

  it('completes after a restart with nothing lost and nothing duplicated', { timeout: 120_000 }, async () => {
    const total = 4_000
    const env = { ...h.env, BATCHKIT_LEASE_MS: '2000', OPENAI_CONCURRENCY: '16' }
    const first = await startWorker(env)
    running.push(first)
    const created = await h.submit(total)
    await until(
      () => h.batch(created.id),
      (b) => b.request_counts.completed >= 800,
      { timeoutMs: 60_000, what: '800 lines done by the first worker' },
    )
    expect(await first.stop('SIGKILL')).toBe('SIGKILL')
    const atKill = await h.batch(created.id)
    expect(atKill.status).toBe('in_progress')
    expect(atKill.request_counts.completed).toBeLessThan(total)
    const recordedAtKill = await recordedKeys(created.id)
    expect(recordedAtKill.size).toBe(atKill.request_counts.completed + atKill.request_counts.failed)
    const callsBeforeRestart = h.upstream.calls.length

    const second = await startWorker(env)
    running.push(second)
    const done = await until(
      () => h.batch(created.id),
      (b) => b.status === 'completed',
      { timeoutMs: 90_000, what: 'the batch to complete after the restart' },
    )
    expect(done.request_counts).toEqual({ total, completed: total, failed: 0 })
    expect(await second.stop('SIGTERM')).toBe(0)

    expectConsistentFiles(await h.results(created.id), total)
    // Only lines the dead worker had run but not yet recorded ran again (their leases lapsed): never a
    // recorded one, and at most what it can hold unrecorded (16 in flight + one unwritten outcome slice).
    const repeated = [...callsPerKey(h.upstream).entries()].filter(([, n]) => n > 1).map(([key]) => key)
    expect(repeated.filter((key) => recordedAtKill.has(key))).toEqual([])
    expect(repeated.length).toBeLessThanOrEqual(16 + 256)
    expect(callsPerKey(h.upstream).size).toBe(total)
    expect(h.upstream.calls.length).toBeGreaterThan(callsBeforeRestart)
  })
})
