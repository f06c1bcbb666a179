import { type BatchEngine, createBatchEngine, type Logger, type Scope } from '@batchkit/core'
import type { ExecuteRequest, ExecuteResult } from '@batchkit/core/provider'
import { describe, expect, it } from 'vitest'
import { type FaultyStore, faultyStore } from './faulty-store.ts'
import {
  chatLines,
  driveUntilStatus,
  fileLines,
  okAnswer,
  scriptedProvider,
  submitChatBatch,
  uploadLines,
} from './fixtures.ts'
import type { ScenarioSetup } from './scenario-setup.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `condition` every 5 ms until it holds (or fails after `ms`). */
async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await sleep(5)
  }
}

/** Calls that wait until `open()`; answers are `okAnswer`. */
function gate(): { answer(request: ExecuteRequest): Promise<ExecuteResult>; open(): void } {
  let release: () => void = () => {}
  const opened = new Promise<void>((resolve) => {
    release = resolve
  })
  return {
    async answer(request) {
      await opened
      return okAnswer(request)
    },
    open: () => release(),
  }
}

/** A logger that keeps `[level, message]` pairs. */
function capturingLogger(): Logger & { lines: [string, string][] } {
  const lines: [string, string][] = []
  const at = (level: string) => (message: string) => {
    lines.push([level, message])
  }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Ticks `engine` in the background like a runner loop (pausing briefly when idle or failing) until stopped. */
function background(engine: BatchEngine): { stop(): Promise<void> } {
  let stopped = false
  const done = (async () => {
    while (!stopped) {
      try {
        const report = await engine.runner.tick({ budgetMs: 50 })
        if (!report.more) await sleep(5)
      } catch {
        await sleep(20)
      }
    }
  })()
  return {
    async stop() {
      stopped = true
      await done
    },
  }
}

/** Error-file lines of a batch by custom id → message. */
async function errorMessages(engine: BatchEngine, scope: Scope, fileId: string | null) {
  if (fileId === null) return {}
  const lines = await fileLines(engine, scope, fileId)
  return Object.fromEntries(
    lines.map((l) => [l.custom_id as string, (l.error as { message: string } | null)?.message]),
  )
}

/**
 * Scenarios of a hostile world: the store goes down mid-run, a process crashes between a terminal move
 * and its terminal work, a worker dies holding lines when the batch is cancelled, processes with the
 * wrong secret, a worker running several providers, and hosts that only tick when work is due.
 */
export function describeResilienceScenarios(setup: ScenarioSetup): void {
  describe('resilience', () => {
    it('rides out a store outage: no new call while outcomes cannot be recorded, nothing lost or repeated', async () => {
      const calls = gate()
      const provider = scriptedProvider('p', calls.answer, { concurrency: 4 })
      let faulty: FaultyStore | undefined
      const { engine, scope } = await setup([provider], {}, (store) => {
        faulty = faultyStore(store)
        return faulty.store
      })
      const { created } = await submitChatBatch(engine, scope, chatLines(12))
      const ticking = background(engine)
      await until(() => provider.calls.length === 4)
      faulty!.down()
      calls.open()
      // The four answers are in and the store refuses them: once a write has failed, no call starts
      // (only the two lines of the read-ahead may have started before that first failure).
      await until(() => faulty!.refused >= 3)
      const started = provider.calls.length
      expect(started).toBeLessThanOrEqual(6)
      await sleep(200)
      expect(provider.calls).toHaveLength(started)
      faulty!.up()
      await ticking.stop()
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 12, completed: 12, failed: 0 })
      const ids = provider.calls.map((c) => c.customId)
      expect(new Set(ids).size).toBe(12)
      expect(ids).toHaveLength(12)
    })

    it('finishes terminal work after a crash right after the terminal move', async () => {
      const provider = scriptedProvider('p', okAnswer)
      const terminal: string[] = []
      let crash = true
      const { engine, scope, store, clock } = await setup(
        [provider],
        { hooks: { onBatchTerminal: (batch) => void terminal.push(batch.status) } },
        (inner) => ({
          ...inner,
          requests: {
            ...inner.requests,
            async deleteAll(batchId) {
              if (crash) {
                crash = false
                throw new Error('the process died after the terminal move')
              }
              return inner.requests.deleteAll(batchId)
            },
          },
        }),
      )
      const { input, created } = await submitChatBatch(engine, scope, chatLines(3))
      await driveUntilStatus(engine, scope, created.id, ['in_progress'])
      await engine.files.delete(scope, input.id)
      await driveUntilStatus(engine, scope, created.id, ['completed'])
      // Completed and visible, but its terminal work did not happen yet.
      expect(terminal).toEqual([])
      expect(await store.requests.readOutcomes(created.id, 'succeeded', 0, 10)).toHaveLength(3)
      expect(await store.files.read(scope, input.id)).not.toBeNull()
      // The next claimer (here, a few seconds later) finishes it.
      clock.advance(10_000)
      for (let i = 0; i < 50 && terminal.length === 0; i++) await engine.runner.tick({ budgetMs: 20 })
      expect(terminal).toEqual(['completed'])
      expect(await store.requests.readOutcomes(created.id, 'succeeded', 0, 10)).toEqual([])
      expect(await store.files.read(scope, input.id)).toBeNull()
      expect((await store.batches.get(scope, created.id))?.wakeAt).toBeNull()
      const done = await engine.batches.get(scope, created.id)
      expect(await fileLines(engine, scope, done.output_file_id!)).toHaveLength(3)
    })

    it('never calls a line "not executed" when a worker that died holding it may have sent it', async () => {
      const calls = gate()
      const provider = scriptedProvider('p', calls.answer, { concurrency: 2 })
      const { engine, scope, store } = await setup([provider])
      const { created } = await submitChatBatch(engine, scope, chatLines(6))
      const ticking = background(engine)
      // Two lines run here (a third waits in this worker's read-ahead) …
      await until(() => provider.calls.length === 2)
      // … and a worker claims two more and dies without recording them.
      const dead = await store.requests.claim({
        workerId: 'dead',
        now: Date.now(),
        leaseMs: 100,
        limit: 2,
        providers: ['p'],
      })
      expect(dead?.requests).toHaveLength(2)
      await engine.batches.cancel(scope, created.id)
      calls.open()
      await ticking.stop()
      await sleep(200)
      const done = await driveUntilStatus(engine, scope, created.id, ['cancelled'])
      expect(done.request_counts).toEqual({ total: 6, completed: 2, failed: 4 })
      const messages = await errorMessages(engine, scope, done.error_file_id)
      const deadIds = dead!.requests.map((r) => r.customId)
      for (const [customId, message] of Object.entries(messages)) {
        if (deadIds.includes(customId)) expect(message).toMatch(/may have reached the provider/)
        else expect(message).toMatch(/not executed/)
      }
      expect(Object.keys(messages).sort()).toHaveLength(4)
    })

    it('hands lines back when this process cannot open the batch key, and logs it once', async () => {
      const provider = scriptedProvider('p', okAnswer, { credential: 'required' })
      const { engine, scope, store, clock } = await setup([provider])
      const input = await uploadLines(engine, scope, chatLines(3))
      const created = await engine.batches.create(
        scope,
        { input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
        { credential: 'sk-the-key' },
      )
      const logger = capturingLogger()
      const stranger = createBatchEngine({
        store,
        clock,
        providers: [provider],
        secret: 'a-different-secret-of-another-process',
        logger,
        runner: { leaseMs: 2_000 },
      })
      for (let i = 0; i < 10; i++) await stranger.runner.tick({ budgetMs: 20 })
      const waiting = await engine.batches.get(scope, created.id)
      expect(waiting.status).toBe('in_progress')
      expect(waiting.request_counts).toEqual({ total: 3, completed: 0, failed: 0 })
      expect(provider.calls).toHaveLength(0)
      expect(logger.lines.filter(([, m]) => m.includes('cannot be opened'))).toHaveLength(1)
      // A process with the right secret runs them once they are offered again.
      clock.advance(31_000)
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })
      expect(provider.calls.map((c) => c.credential)).toEqual(['sk-the-key', 'sk-the-key', 'sk-the-key'])
    })

    it('holds at most concurrency + read-ahead lines of a provider, whatever else it runs', async () => {
      const calls = gate()
      const slow = scriptedProvider('slow', calls.answer, { concurrency: 3 })
      const fast = scriptedProvider('fast', okAnswer, { concurrency: 64 })
      const { engine, scope, store } = await setup([slow, fast])
      const input = await uploadLines(engine, scope, chatLines(40))
      const created = await engine.batches.create(
        scope,
        { input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
        { provider: 'slow' },
      )
      const ticking = background(engine)
      await until(() => slow.calls.length === 3)
      await sleep(50)
      // Concurrency 3 plus a read-ahead of 2: five leased lines, not a share of the fast provider's room.
      expect(await store.requests.inFlight(created.id)).toBe(5)
      calls.open()
      await ticking.stop()
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts.completed).toBe(40)
      expect(slow.calls).toHaveLength(40)
    })

    it('lets a host that only ticks when work is due (an alarm) finish a batch that waits on retries', async () => {
      const tries = new Map<string, number>()
      const provider = scriptedProvider('p', (request) => {
        const n = (tries.get(request.customId) ?? 0) + 1
        tries.set(request.customId, n)
        if (n === 1)
          return { type: 'response', status: 429, body: { error: 'slow down' }, retryAfterMs: 20_000 }
        return okAnswer(request)
      })
      const { engine, scope, clock } = await setup([provider])
      const { created } = await submitChatBatch(engine, scope, chatLines(3))
      let waited = 0
      for (let i = 0; i < 100; i++) {
        if ((await engine.batches.get(scope, created.id)).status === 'completed') break
        const report = await engine.runner.tick({ budgetMs: 50 })
        if (report.more) continue
        // The alarm: sleep until the tick says work is due, and not a moment longer.
        expect(report.nextDueAt).not.toBeNull()
        if (report.nextDueAt! > clock.now() + 1_000) waited++
        clock.advance(Math.max(0, report.nextDueAt! - clock.now()))
      }
      const done = await engine.batches.get(scope, created.id)
      expect(done.status).toBe('completed')
      expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })
      expect(waited).toBeGreaterThan(0)
      const idle = await engine.runner.tick({ budgetMs: 20 })
      expect(idle.more).toBe(false)
    })

    it('records an answer too large to keep as a response_too_large error line', async () => {
      const provider = scriptedProvider('p', (request) => ({
        type: 'response',
        status: 200,
        body: {
          ...(okAnswer(request) as { body: object }).body,
          padding: 'x'.repeat(request.customId === 'req-2' ? 5_000 : 0),
        },
      }))
      const { engine, scope } = await setup([provider], { limits: { maxResponseBytes: 2_000 } })
      const { created } = await submitChatBatch(engine, scope, chatLines(2))
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 })
      const [line] = await fileLines(engine, scope, done.error_file_id!)
      expect(line).toMatchObject({
        custom_id: 'req-2',
        response: null,
        error: { code: 'response_too_large' },
      })
    })
  })
}
