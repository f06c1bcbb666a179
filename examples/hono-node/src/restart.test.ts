import { sha256Hex } from '@batchkit/core'
import { type BatchRecord, newRequestLineId, type RequestOutcome, randomHex } from '@batchkit/core/store'
import { batchRecord } from '@batchkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectConsistentFiles, type ProcessHarness, processHarness } from './process-fixtures.ts'
import { type RunningProcess, startServer, until } from './processes.ts'

/**
 * The reference server process dies (`kill -9`) while batches are `validating` (part of its lines
 * inserted), `in_progress` (lines in flight), `cancelling` (cancel not yet processed) and
 * `finalizing` (a crash mid-finalize, left with a held lease and a half-written output file); a new
 * server process on the same database brings each to its terminal state.
 */
describe('server restart with batches in every non-terminal state', () => {
  let h: ProcessHarness
  const running: RunningProcess[] = []
  beforeAll(async () => {
    h = await processHarness('restart', 400)
  })
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')))
    await h?.close()
  })

  it('finishes validating, in_progress, cancelling and finalizing batches', {
    timeout: 150_000,
  }, async () => {
    const env = { ...h.env, BATCHKIT_LEASE_MS: '2000' }
    const first = await startServer({ ...env, MOCK_LATENCY_MS: '400' })
    running.push(first)
    await first.waitFor(new RegExp(`store: +postgres .*schema ${h.db.schema}`))

    // in_progress: slow upstream; cancelling: slow mock provider, cancelled just before the crash.
    const x = await h.submit(300, { prefix: 'x' })
    const y = await h.submit(2_000, { prefix: 'y', provider: 'mock' })
    await until(
      async () => [await h.batch(x.id), await h.batch(y.id)],
      ([bx, by]) => bx!.request_counts.completed > 0 && by!.request_counts.completed > 0,
      { timeoutMs: 60_000, what: 'lines of both batches to finish' },
    )
    // validating: a large input, caught while the server is inserting its request rows.
    const z = await h.submit(20_000, { prefix: 'z', provider: 'mock' })
    const rows = async () => {
      const [row] = await h.db.sql.unsafe(
        `select count(*)::int as n from "${h.db.schema}".requests where batch_id = $1`,
        [z.id],
      )
      return row!.n as number
    }
    await until(rows, (n) => n > 0, {
      timeoutMs: 60_000,
      everyMs: 10,
      what: 'ingest of the large batch to start',
    })
    expect((await h.engine.batches.cancel(h.scope, y.id)).status).toBe('cancelling')
    expect(await first.stop('SIGKILL')).toBe('SIGKILL')

    const atCrash = await Promise.all([x, y, z].map((b) => h.batch(b.id)))
    expect(atCrash.map((b) => b.status)).toEqual(['in_progress', 'cancelling', 'validating'])
    expect(await rows()).toBeLessThan(20_000)

    // finalizing: a crash in the middle of writing the output file.
    const w = await crashedWhileFinalizing(h, 50)

    h.upstream.configure({ latencyMs: 1 })
    const second = await startServer({ ...env, MOCK_LATENCY_MS: '1' })
    running.push(second)
    const terminal = ['completed', 'failed', 'expired', 'cancelled']
    const finished = await until(
      () => Promise.all([x.id, y.id, z.id, w.id].map((id) => h.batch(id))),
      (all) => all.every((b) => terminal.includes(b.status)),
      { timeoutMs: 120_000, everyMs: 250, what: 'all four batches to finish' },
    )
    expect(finished.map((b) => b.status)).toEqual(['completed', 'cancelled', 'completed', 'completed'])
    expect(await second.stop('SIGTERM')).toBe(0)

    expectConsistentFiles(await h.results(x.id), 300, 'x')
    expectConsistentFiles(await h.results(z.id), 20_000, 'z')
    expectConsistentFiles(await h.results(w.id), 50, 'w')
    const cancelled = await h.results(y.id)
    const ids = [...cancelled.output, ...cancelled.errors].map((l) => l.custom_id)
    expect(new Set(ids).size).toBe(2_000)
    expect(cancelled.batch.request_counts).toEqual({
      total: 2_000,
      completed: cancelled.output.length,
      failed: cancelled.errors.length,
    })
    expect(cancelled.errors.length).toBeGreaterThan(0)
    expect(cancelled.errors.every((l) => l.error?.code === 'batch_cancelled')).toBe(true)
    // Nothing the crash left behind stays: no half-written upload, no request rows of finished batches.
    const [left] = await h.db.sql.unsafe(
      `select
        (select count(*)::int from "${h.db.schema}".requests) as requests,
        (select count(*)::int from "${h.db.schema}".blobs where state = 'ready' and file_id = $1) as outputs`,
      [(await h.batch(w.id)).output_file_id],
    )
    expect(left).toEqual({ requests: 0, outputs: 1 })
  })
})

/**
 * Leaves a batch as a server that died while finalizing it would: all lines recorded, status
 * `finalizing`, its batch lease held (until it lapses) and an output file upload half-written.
 */
async function crashedWhileFinalizing(h: ProcessHarness, lines: number): Promise<BatchRecord> {
  const { store } = { store: h.db.store() }
  const now = Date.now()
  const provider = `ghost-${randomHex(4)}`
  const batch = await store.batches.insert(
    batchRecord(h.scope, now, {
      status: 'in_progress',
      model: 'gpt-4o-mini',
      inProgressAt: now,
      requestCounts: { total: lines, completed: 0, failed: 0 },
      provider,
    }),
  )
  const items = Array.from({ length: lines }, (_, i) => ({
    index: i + 1,
    id: newRequestLineId(),
    customId: `w-${i + 1}`,
    offset: i * 100,
    length: 99,
  }))
  await store.requests.insert(batch.id, items)
  const lease = await store.requests.claim({
    workerId: 'dead',
    now,
    leaseMs: 60_000,
    limit: lines,
    providers: [provider],
  })
  const outcomes: RequestOutcome[] = lease!.requests.map((r) => ({
    batchId: batch.id,
    index: r.index,
    kind: 'succeeded',
    line: JSON.stringify({
      id: r.id,
      custom_id: r.customId,
      response: { status_code: 200, body: {} },
      error: null,
    }),
  }))
  expect((await store.requests.record(lease!.token, outcomes, now)).accepted).toBe(lines)
  const finalizing = await store.batches.transition(batch.id, ['in_progress'], 'finalizing', {
    finalizingAt: now,
    endReason: 'completed',
    wakeAt: now,
  })
  expect(finalizing).not.toBeNull()
  // The dead server held the batch lease; other due batches are handed back untouched.
  for (const held of await store.batches.claim({ workerId: 'dead', now, leaseMs: 2_000, limit: 100 })) {
    if (held.batch.id !== batch.id) await store.batches.release(held.batch.id, held.token, held.batch.wakeAt)
  }
  // …and had started writing the output file (same id the finalize step derives) when it died.
  const outputId = `file-${(await sha256Hex(`${batch.id}:output`)).slice(0, 24)}`
  await h.db.sql.unsafe(
    `insert into "${h.db.schema}".blobs (id, file_id, state) values ($1, $2, 'writing')`,
    [`blob-${randomHex(8)}`, outputId],
  )
  return finalizing!
}
