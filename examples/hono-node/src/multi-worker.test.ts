import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callsPerKey,
  expectConsistentFiles,
  type ProcessHarness,
  processHarness,
} from './process-fixtures.ts'
import { type RunningProcess, startWorker, until } from './processes.ts'

/**
 * Horizontal scaling with real processes: three `pnpm worker` processes share one 20,000-line batch
 * through PostgreSQL, against a fake upstream that records every call.
 */
describe('three worker processes share a 20,000-line batch', () => {
  let h: ProcessHarness
  let workers: RunningProcess[] = []
  beforeAll(async () => {
    h = await processHarness('multiworker', 5)
  })
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')))
    await h?.close()
  })

  it('runs every line exactly once across the workers', { timeout: 180_000 }, async () => {
    const total = 20_000
    workers = await Promise.all([1, 2, 3].map(() => startWorker({ ...h.env, OPENAI_CONCURRENCY: '32' })))
    const created = await h.submit(total)
    const started = Date.now()
    const done = await until(
      () => h.batch(created.id),
      (b) => b.status === 'completed' || b.status === 'failed',
      { timeoutMs: 150_000, everyMs: 250, what: 'the batch to complete' },
    )
    const elapsed = Date.now() - started
    expect(done.status).toBe('completed')
    // Graceful stop: each worker finishes and records what it runs, then exits 0.
    expect(await Promise.all(workers.map((w) => w.stop('SIGTERM')))).toEqual([0, 0, 0])

    const result = await h.results(created.id)
    expectConsistentFiles(result, total)
    expect(result.output).toHaveLength(total)

    // The upstream saw each line once: no lease lapsed (60 s leases), so no line ran twice.
    const perKey = callsPerKey(h.upstream)
    expect(perKey.size).toBe(total)
    expect([...perKey.values()].filter((n) => n > 1)).toEqual([])
    expect(h.upstream.stats().duplicateSuccesses).toBe(0)
    console.info(`[multi-worker] 20,000 lines through 3 workers in ${elapsed} ms`)
  })
})
