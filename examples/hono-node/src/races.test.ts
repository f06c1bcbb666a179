import { BatchkitError, type BatchObject } from '@batchkit/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ProcessHarness, processHarness } from './process-fixtures.ts'
import { type RunningProcess, startWorker, until } from './processes.ts'

type Race = 'cancel' | 'expire' | 'both'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Cancel and expiry racing with finalize, with two worker processes doing the work: whatever the
 * timing, exactly one terminal state wins, it never changes afterwards, and the output and error
 * files agree with the counts.
 */
describe('cancel and expiry racing with finalize', () => {
  let h: ProcessHarness
  let workers: RunningProcess[] = []
  beforeAll(async () => {
    h = await processHarness('races', 1)
  })
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')))
    await h?.close()
  })

  /** The batch's window closes at `at` (epoch ms): what the clock reaching `expires_at` looks like. */
  const expireAt = (id: string, at: number) =>
    h.db.sql.unsafe(
      `update "${h.db.schema}".batches set expires_at = $2::bigint, wake_at = least(wake_at, $2::bigint),
        wake_during_lease = case when lease_token is not null then least(wake_during_lease, $2::bigint) else wake_during_lease end
       where id = $1`,
      [id, at],
    )

  it('lets exactly one terminal state win, with consistent files', { timeout: 150_000 }, async () => {
    const env = { ...h.env, BATCHKIT_POLL_MS: '20' }
    workers = await Promise.all([1, 2].map(() => startWorker(env)))
    const total = 800
    // Each batch is struck at another moment: lines still to run (expiry must close them), the last
    // line just recorded (finalize about to start), or once finalize runs (it must lose to a cancel,
    // or the cancel is refused when finalize already completed).
    const plan: { race: Race; at: number | 'finalizing' }[] = [
      { race: 'cancel', at: 'finalizing' },
      { race: 'expire', at: 200 },
      { race: 'both', at: 50 },
      { race: 'cancel', at: 0 },
      { race: 'expire', at: 0 },
      { race: 'both', at: 'finalizing' },
    ]
    const outcomes = await Promise.all(
      plan.map(async ({ race, at }, i) => {
        const prefix = `r${i}`
        const created = await h.submit(total, { prefix })
        await until(
          () => h.batch(created.id),
          (b) =>
            at === 'finalizing'
              ? b.status !== 'validating' && b.status !== 'in_progress'
              : b.status !== 'validating' &&
                (b.status !== 'in_progress' ||
                  b.request_counts.completed + b.request_counts.failed >= total - at),
          { timeoutMs: 120_000, everyMs: 5, what: `batch ${i} to reach its moment` },
        )
        await sleep((i * 7) % 25)
        let cancel: string | null = null
        const strikes: Promise<unknown>[] = []
        if (race !== 'expire') {
          strikes.push(
            h.engine.batches.cancel(h.scope, created.id).then(
              (b) => {
                cancel = b.status
              },
              (error: unknown) => {
                expect(error).toBeInstanceOf(BatchkitError)
                cancel = (error as BatchkitError).code
              },
            ),
          )
        }
        if (race !== 'cancel') strikes.push(expireAt(created.id, Date.now() + ((i * 3) % 10)))
        await Promise.all(strikes)
        return { race, prefix, id: created.id, cancel }
      }),
    )

    const terminal = ['completed', 'failed', 'expired', 'cancelled']
    const finished = await until(
      () => Promise.all(outcomes.map((o) => h.batch(o.id))),
      (all) => all.every((b) => terminal.includes(b.status)),
      { timeoutMs: 60_000, everyMs: 100, what: 'every raced batch to finish' },
    )
    const files = async (b: BatchObject) => {
      const r = await h.results(b.id)
      return { ...r, ids: [r.batch.output_file_id, r.batch.error_file_id] }
    }
    const first = await Promise.all(finished.map(files))
    await sleep(1_500)
    const later = await Promise.all(finished.map(files))

    outcomes.forEach((o, i) => {
      const { batch, output, errors } = first[i]!
      const allowed: Record<Race, string[]> = {
        cancel: ['completed', 'cancelled'],
        expire: ['completed', 'expired'],
        both: ['completed', 'cancelled', 'expired'],
      }
      expect(allowed[o.race], `${o.race} race of batch ${i}`).toContain(batch.status)
      // A cancel that was accepted wins; a refused one means the batch had already finished.
      if (o.cancel === 'cancelling' || o.cancel === 'cancelled') expect(batch.status).toBe('cancelled')
      if (o.cancel === 'batch_not_cancellable') expect(batch.status).not.toBe('cancelled')
      // Exactly one terminal timestamp.
      const stamps = [batch.completed_at, batch.cancelled_at, batch.expired_at, batch.failed_at].filter(
        (t) => t !== null,
      )
      expect(stamps).toHaveLength(1)
      // The files agree with the counts, every line exactly once.
      expect(batch.request_counts).toEqual({ total, completed: output.length, failed: errors.length })
      const ids = [...output, ...errors].map((l) => l.custom_id)
      expect(new Set(ids).size).toBe(total)
      const closedAs = batch.status === 'cancelled' ? 'batch_cancelled' : 'batch_expired'
      for (const line of errors) {
        if (line.error !== null) expect(line.error.code).toBe(closedAs)
      }
      if (batch.status === 'completed') expect(errors.filter((l) => l.error !== null)).toEqual([])
      // Nothing moves afterwards: same status, same files, same bytes.
      expect(later[i]!.batch.status).toBe(batch.status)
      expect(later[i]!.ids).toEqual(first[i]!.ids)
      expect(later[i]!.output).toEqual(output)
      expect(later[i]!.errors).toEqual(errors)
    })
    expect(h.upstream.stats().duplicateSuccesses).toBe(0)
    console.info(
      `[races] ${outcomes.map((o, i) => `${o.race}(${o.cancel ?? '-'})→${finished[i]!.status}`).join(', ')}`,
    )
  })
})
