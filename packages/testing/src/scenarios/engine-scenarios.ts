import { BatchkitError, type Scope } from '@batchkit/core'
import { describe, expect, it } from 'vitest'
import {
  chatLine,
  chatLines,
  driveUntilCompleted,
  driveUntilStatus,
  fileLines,
  okAnswer,
  scriptedProvider,
  submitChatBatch,
  uploadLines,
} from './fixtures.ts'
import { describeNativeScenarios } from './native-scenarios.ts'
import { describeResilienceScenarios } from './resilience-scenarios.ts'
import { describeRetentionScenarios } from './retention-scenarios.ts'
import { type EngineHarness, type ScenarioSetup, scenarioSetup } from './scenario-setup.ts'
import { describeUsageScenarios } from './usage-scenarios.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * End-to-end engine scenarios (validate → run → finalize, retries, cancel, expiry, tenant scoping,
 * crash recovery, store faults, file retention, native mode, usage) against a store. Every store runs them, so the lifecycle
 * is proven per store.
 *
 * @example
 * describeEngineScenarios('memory', () => { const clock = offsetClock(); return { clock, store: memoryStore({ clock }) } })
 */
export function describeEngineScenarios(
  name: string,
  make: () => Promise<EngineHarness> | EngineHarness,
): void {
  describe(`engine scenarios: ${name}`, () => {
    const setup = scenarioSetup(make)
    describeLifecycleScenarios(setup)
    describeResilienceScenarios(setup)
    describeRetentionScenarios(setup)
    describeNativeScenarios(setup)
    describeUsageScenarios(setup)
  })
}

/** The lifecycle scenarios: validate → run → finalize, retries, cancel, expiry, tenants, crashes. */
function describeLifecycleScenarios(setup: ScenarioSetup): void {
  describe('lifecycle', () => {
    it('runs a batch to completed with output, usage, model and timestamps', async () => {
      const provider = scriptedProvider('p', okAnswer)
      const { engine, scope } = await setup([provider])
      const input = await uploadLines(engine, scope, chatLines(5))
      const created = await engine.batches.create(scope, {
        input_file_id: input.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        metadata: { job: 'nightly' },
      })
      expect(created).toMatchObject({
        object: 'batch',
        status: 'validating',
        request_counts: { total: 0, completed: 0, failed: 0 },
        in_progress_at: null,
        completed_at: null,
        output_file_id: null,
        metadata: { job: 'nightly' },
      })
      expect(created.expires_at).toBe((created.created_at as number) + 86_400)
      const done = await driveUntilStatus(engine, scope, created.id, ['completed', 'failed'])
      expect(done.status).toBe('completed')
      expect(done.request_counts).toEqual({ total: 5, completed: 5, failed: 0 })
      expect(done.model).toBe('gpt-test')
      expect(done.usage).toMatchObject({ input_tokens: 50, output_tokens: 25, total_tokens: 75 })
      expect(done.in_progress_at).not.toBeNull()
      expect(done.finalizing_at).not.toBeNull()
      expect(done.completed_at).not.toBeNull()
      expect(done.error_file_id).toBeNull()
      const output = await engine.files.get(scope, done.output_file_id!)
      expect(output.purpose).toBe('batch_output')
      const lines = await fileLines(engine, scope, done.output_file_id!)
      expect(lines.map((l) => l.custom_id).sort()).toEqual(['req-1', 'req-2', 'req-3', 'req-4', 'req-5'])
      for (const line of lines) {
        expect(Object.keys(line)).toEqual(['id', 'custom_id', 'response', 'error'])
        expect(line.id).toMatch(/^batch_req_/)
        expect(line.error).toBeNull()
        expect(line.response).toMatchObject({ status_code: 200, request_id: `req_${line.custom_id}` })
      }
      expect(provider.calls).toHaveLength(5)
    })

    it('fails validation with line-numbered errors and runs nothing', async () => {
      const provider = scriptedProvider('p', okAnswer)
      const { engine, scope } = await setup([provider])
      const bad = [chatLine(1), { ...chatLine(2), url: '/v1/embeddings' }, chatLine(1)]
      const { created } = await submitChatBatch(engine, scope, bad)
      const failed = await driveUntilStatus(engine, scope, created.id, ['failed', 'completed'])
      expect(failed.status).toBe('failed')
      expect(failed.failed_at).not.toBeNull()
      expect(failed.errors?.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'invalid_url', line: 2, param: 'url' }),
          expect.objectContaining({ code: 'duplicate_custom_id', line: 3 }),
        ]),
      )
      expect(failed.request_counts).toEqual({ total: 0, completed: 0, failed: 0 })
      expect(provider.calls).toHaveLength(0)
    })

    it('fails a batch whose input file does not exist (or belongs to someone else)', async () => {
      const { engine, scope } = await setup([scriptedProvider('p', okAnswer)])
      const theirs = await uploadLines(engine, { ownerId: `${scope.ownerId}-other` }, chatLines(1))
      for (const inputFileId of ['file-missing', theirs.id]) {
        const created = await engine.batches.create(scope, {
          input_file_id: inputFileId,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
        })
        const failed = await driveUntilStatus(engine, scope, created.id, ['failed'])
        expect(failed.errors?.data[0]).toMatchObject({
          code: 'invalid_request',
          param: 'file_id',
          line: null,
        })
      }
    })

    it('sends non-2xx answers to the error file with status and body; output_file_id stays null', async () => {
      const provider = scriptedProvider('p', () => ({
        type: 'response',
        status: 400,
        body: { error: { message: 'bad model', type: 'invalid_request_error', param: 'model', code: null } },
      }))
      const { engine, scope } = await setup([provider])
      const { created } = await submitChatBatch(engine, scope, chatLines(3))
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 3, completed: 0, failed: 3 })
      expect(done.output_file_id).toBeNull()
      const errors = await fileLines(engine, scope, done.error_file_id!)
      expect(errors).toHaveLength(3)
      expect(errors[0]).toMatchObject({
        response: { status_code: 400, body: { error: { message: 'bad model' } } },
        error: null,
      })
      expect(provider.calls).toHaveLength(3) // 400 is final: no retries
    })

    it('retries 429/5xx/network failures with backoff and records each line once', async () => {
      const seen = new Map<string, number>()
      const provider = scriptedProvider('p', (request) => {
        const n = (seen.get(request.customId) ?? 0) + 1
        seen.set(request.customId, n)
        if (n === 1) return { type: 'response', status: 500, body: { error: { message: 'boom' } } }
        if (n === 2) return { type: 'response', status: 429, body: {}, retryAfterMs: 5 }
        if (n === 3) return { type: 'error', code: 'request_failed', message: 'socket hang up' }
        return okAnswer(request)
      })
      const { engine, scope } = await setup([provider])
      const { created } = await submitChatBatch(engine, scope, chatLines(4))
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 4, completed: 4, failed: 0 })
      expect(provider.calls.map((c) => c.attempt).sort()).toEqual([
        1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
      ])
      const lines = await fileLines(engine, scope, done.output_file_id!)
      expect(lines).toHaveLength(4)
    })

    it('gives up after maxAttempts and keeps the last upstream answer in the error file', async () => {
      const provider = scriptedProvider(
        'p',
        () => ({ type: 'response', status: 503, body: { error: { message: 'overloaded' } } }),
        {
          maxAttempts: 3,
        },
      )
      const { engine, scope } = await setup([provider])
      const { created } = await submitChatBatch(engine, scope, chatLines(2))
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 2, completed: 0, failed: 2 })
      expect(provider.calls).toHaveLength(6)
      const errors = await fileLines(engine, scope, done.error_file_id!)
      expect(errors[0]).toMatchObject({ response: { status_code: 503 } })
    })

    it('cancels a running batch: in-flight lines finish, unstarted ones become batch_cancelled, output kept', async () => {
      const provider = scriptedProvider(
        'p',
        async (request) => {
          await sleep(20)
          return okAnswer(request)
        },
        { concurrency: 2 },
      )
      const { engine, scope } = await setup([provider])
      const { created } = await submitChatBatch(engine, scope, chatLines(40))
      const running = await driveUntilCompleted(engine, scope, created.id, 4, 30)
      expect(running.status).toBe('in_progress')
      const cancelling = await engine.batches.cancel(scope, created.id)
      expect(cancelling.status).toBe('cancelling')
      expect(cancelling.cancelling_at).not.toBeNull()
      expect((await engine.batches.cancel(scope, created.id)).status).toBe('cancelling')
      const done = await driveUntilStatus(engine, scope, created.id, ['cancelled'])
      expect(done.cancelled_at).not.toBeNull()
      const { completed, failed, total } = done.request_counts
      expect(total).toBe(40)
      expect(completed + failed).toBe(40)
      expect(completed).toBeGreaterThanOrEqual(4)
      expect(completed).toBeLessThan(40)
      const output = await fileLines(engine, scope, done.output_file_id!)
      const errors = await fileLines(engine, scope, done.error_file_id!)
      expect(output).toHaveLength(completed)
      expect(errors).toHaveLength(failed)
      expect(errors.every((e) => (e.error as { code: string }).code === 'batch_cancelled')).toBe(true)
      const ids = [...output, ...errors].map((l) => l.custom_id)
      expect(new Set(ids).size).toBe(40)
      expect(provider.calls.length).toBe(completed) // nothing ran after the cancel was seen
      await expect(engine.batches.cancel(scope, created.id)).resolves.toMatchObject({ status: 'cancelled' })
    })

    it('answers 409 batch_not_cancellable for a completed batch', async () => {
      const { engine, scope } = await setup([scriptedProvider('p', okAnswer)])
      const { created } = await submitChatBatch(engine, scope, chatLines(1))
      await driveUntilStatus(engine, scope, created.id, ['completed'])
      const error = await engine.batches.cancel(scope, created.id).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(BatchkitError)
      expect(error).toMatchObject({ code: 'batch_not_cancellable', status: 409 })
    })

    it('expires a batch at expires_at: finished lines kept, the rest batch_expired', async () => {
      let calls = 0
      const provider = scriptedProvider(
        'p',
        async (request) => {
          calls++
          // Each line takes a moment, so a 5 ms tick finishes a few lines, never all 30, however fast the runner.
          await sleep(2)
          return okAnswer(request)
        },
        { concurrency: 1 },
      )
      const { engine, scope, clock } = await setup([provider], { runner: { claimBatchSize: 1 } })
      const { created } = await submitChatBatch(engine, scope, chatLines(30))
      await driveUntilCompleted(engine, scope, created.id, 2, 5)
      clock.advance(24 * 3600 * 1000 + 1000)
      const done = await driveUntilStatus(engine, scope, created.id, ['expired'])
      expect(done.expired_at).not.toBeNull()
      expect(done.finalizing_at).not.toBeNull()
      const { completed, failed, total } = done.request_counts
      expect(total).toBe(30)
      expect(completed + failed).toBe(30)
      expect(completed).toBe(calls)
      const errors = await fileLines(engine, scope, done.error_file_id!)
      expect(errors).toHaveLength(failed)
      expect(errors[0]).toMatchObject({
        response: null,
        error: {
          code: 'batch_expired',
          message: 'This request could not be executed before the completion window expired.',
        },
      })
    })

    it('keeps tenants apart: another owner gets not_found for batches and files', async () => {
      const { engine, scope } = await setup([scriptedProvider('p', okAnswer)])
      const other: Scope = { ownerId: `${scope.ownerId}-x` }
      const { input, created } = await submitChatBatch(engine, scope, chatLines(1))
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      for (const attempt of [
        () => engine.batches.get(other, created.id),
        () => engine.batches.cancel(other, created.id),
        () => engine.files.get(other, input.id),
        () => engine.files.content(other, done.output_file_id!),
        () => engine.files.delete(other, done.output_file_id!),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ code: 'not_found', status: 404 })
      }
      expect((await engine.batches.list(other)).data).toEqual([])
      expect((await engine.files.list(other)).data).toEqual([])
    })

    it('lists batches newest first across pages with exact has_more', async () => {
      const { engine, scope } = await setup([scriptedProvider('p', okAnswer)])
      const input = await uploadLines(engine, scope, chatLines(1))
      const ids: string[] = []
      for (let i = 0; i < 7; i++) {
        const b = await engine.batches.create(scope, {
          input_file_id: input.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
        })
        ids.push(b.id)
      }
      const seen: string[] = []
      let after: string | undefined
      for (;;) {
        const page = await engine.batches.list(scope, { limit: 3, ...(after ? { after } : {}) })
        seen.push(...page.data.map((b) => b.id))
        expect(page.first_id).toBe(page.data[0]?.id ?? null)
        if (!page.has_more) break
        after = page.last_id!
      }
      expect(seen).toEqual([...ids].reverse())
    })

    it('de-duplicates creates that carry the same idempotency key', async () => {
      const { engine, scope } = await setup([scriptedProvider('p', okAnswer)])
      const input = await uploadLines(engine, scope, chatLines(1))
      const body = { input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' }
      const a = await engine.batches.create(scope, body, { idempotencyKey: 'k1' })
      const b = await engine.batches.create(scope, body, { idempotencyKey: 'k1' })
      const c = await engine.batches.create(scope, body, { idempotencyKey: 'k2' })
      expect(b.id).toBe(a.id)
      expect(c.id).not.toBe(a.id)
    })

    it('seals the provider key at rest, hands it to the provider, and drops it when the batch ends', async () => {
      const provider = scriptedProvider('p', okAnswer, { credential: 'required' })
      const { engine, scope, store } = await setup([provider])
      const input = await uploadLines(engine, scope, chatLines(2))
      const created = await engine.batches.create(
        scope,
        { input_file_id: input.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
        { credential: 'sk-very-secret' },
      )
      const stored = await store.batches.get(scope, created.id)
      expect(stored?.credential).toBeTruthy()
      expect(stored?.credential).not.toContain('sk-very-secret')
      expect(JSON.stringify(created)).not.toContain('sk-very-secret')
      await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(provider.calls.every((c) => c.credential === 'sk-very-secret')).toBe(true)
      expect((await store.batches.get(scope, created.id))?.credential).toBeNull()
    })

    it('recovers lines leased by a worker that died: nothing lost, nothing recorded twice', async () => {
      const provider = scriptedProvider('p', okAnswer)
      const { engine, scope, store } = await setup([provider], { runner: { leaseMs: 300 } })
      const { created } = await submitChatBatch(engine, scope, chatLines(20))
      await driveUntilStatus(engine, scope, created.id, ['in_progress'])
      // A worker claims 10 lines and dies without recording them.
      const dead = await store.requests.claim({ workerId: 'dead', now: Date.now(), leaseMs: 300, limit: 10 })
      expect(dead?.requests).toHaveLength(10)
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'], {
        maxTicks: 2_000,
        budgetMs: 20,
      })
      expect(done.request_counts).toEqual({ total: 20, completed: 20, failed: 0 })
      // The dead worker comes back and tries to record: fenced out.
      const late = await store.requests.record(
        dead!.token,
        dead!.requests.map((r) => ({
          batchId: r.batchId,
          index: r.index,
          kind: 'failed' as const,
          line: '{}',
        })),
        Date.now(),
      )
      expect(late.accepted).toBe(0)
      const lines = await fileLines(engine, scope, done.output_file_id!)
      expect(new Set(lines.map((l) => l.custom_id)).size).toBe(20)
      expect(lines).toHaveLength(20)
    })

    it('runs a /v1/moderations batch', async () => {
      const provider = scriptedProvider('p', (request) => ({
        type: 'response',
        status: 200,
        requestId: `req_${request.customId}`,
        body: { id: `modr-${request.customId}`, model: request.body.model, results: [{ flagged: false }] },
      }))
      const { engine, scope } = await setup([provider])
      const input = await uploadLines(engine, scope, [
        { custom_id: 'a', method: 'POST', url: '/v1/moderations', body: { model: 'omni', input: 'hi' } },
        { custom_id: 'b', method: 'POST', url: '/moderations', body: { model: 'omni', input: ['x', 'y'] } },
      ])
      const created = await engine.batches.create(scope, {
        input_file_id: input.id,
        endpoint: '/v1/moderations',
        completion_window: '24h',
      })
      const done = await driveUntilStatus(engine, scope, created.id, ['completed', 'failed'])
      expect(done).toMatchObject({
        status: 'completed',
        request_counts: { total: 2, completed: 2, failed: 0 },
      })
      expect(provider.calls.map((c) => c.endpoint)).toEqual(['/v1/moderations', '/v1/moderations'])
      const lines = await fileLines(engine, scope, done.output_file_id!)
      expect(lines.map((l) => (l.response as { body?: unknown } | null)?.body)).toContainEqual({
        id: 'modr-a',
        model: 'omni',
        results: [{ flagged: false }],
      })
    })
  })
}
