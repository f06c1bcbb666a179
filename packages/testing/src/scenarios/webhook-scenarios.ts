import type { BatchEngine, OffsetClock, Scope, WebhookDeliveryRecord } from '@batchkit/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  chatLines,
  driveUntilStatus,
  okAnswer,
  scriptedProvider,
  submitChatBatch,
  uploadLines,
} from './fixtures.ts'
import { type EngineHarness, scenarioSetup } from './scenario-setup.ts'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts'

/**
 * Verifies a delivered webhook the way a receiver would, returning the event (e.g. the openai SDK's
 * `new OpenAI({ webhookSecret: secret }).webhooks.unwrap(body, headers)`); throws when it does not verify.
 */
export type WebhookVerifier = (
  body: string,
  headers: Record<string, string>,
  secret: string,
) => Promise<unknown>

/** The signing secret the scenarios use: `whsec_` and Base64 of 32 bytes. */
const secret = `whsec_${btoa('batchkit-webhook-scenario-secret!')}`

/**
 * Ticks until `done(deliveries of the batch)` holds, moving the clock to each delivery's next attempt
 * when nothing else is due (retries are scheduled in domain time).
 */
async function driveDeliveries(
  engine: BatchEngine,
  clock: OffsetClock,
  batchId: string,
  done: (rows: WebhookDeliveryRecord[]) => boolean,
  maxTicks = 200,
): Promise<WebhookDeliveryRecord[]> {
  for (let i = 0; i < maxTicks; i++) {
    const rows = await engine.webhooks.deliveries({ batchId })
    if (done(rows)) return rows
    const report = await engine.runner.tick({ budgetMs: 50 })
    if (!report.more && report.nextDueAt !== null && report.nextDueAt > clock.now()) {
      clock.advance(report.nextDueAt - clock.now())
    }
  }
  throw new Error(
    `webhook deliveries of ${batchId} did not settle: ${JSON.stringify(await engine.webhooks.deliveries({ batchId }))}`,
  )
}

const allSettled = (rows: WebhookDeliveryRecord[]) =>
  rows.length > 0 && rows.every((row) => row.status !== 'pending')

/**
 * Webhook scenarios against a store: events as OpenAI sends them, signed so that `verify` (the openai
 * SDK's `webhooks.unwrap`) accepts them, retried with backoff until delivered or `retryForMs` old, per
 * tenant endpoints, redirects not followed, a terminal step re-run after a crash storing nothing twice,
 * a delivery taken over after its worker's lease lapsed (one event id, delivered at least once), replay.
 *
 * @example
 * describeWebhookScenarios('memory', () => ({ store: memoryStore({ clock }), clock }), (body, headers, secret) =>
 *   new OpenAI({ apiKey: 'x', webhookSecret: secret }).webhooks.unwrap(body, headers))
 */
export function describeWebhookScenarios(
  name: string,
  make: () => Promise<EngineHarness> | EngineHarness,
  verify: WebhookVerifier,
): void {
  describe(`webhook scenarios: ${name}`, () => {
    const setup = scenarioSetup(make)
    let receivers: WebhookReceiver[] = []
    const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
      const started = await startWebhookReceiver(...args)
      receivers.push(started)
      return started
    }
    afterEach(async () => {
      for (const r of receivers) await r.close()
      receivers = []
    })
    const provider = () => scriptedProvider('scripted', okAnswer)

    it('sends batch.completed signed for the openai SDK, retrying after failed attempts', async () => {
      const hook = await receiver((n) => (n < 2 ? 503 : 200))
      const { engine, scope, clock } = await setup([provider()], {
        webhooks: { endpoints: [{ url: hook.url, secret }], retryBaseMs: 1_000 },
      })
      const { created } = await submitChatBatch(engine, scope, chatLines(3))
      const batch = await driveUntilStatus(engine, scope, created.id, ['completed'])
      const [row] = await driveDeliveries(engine, clock, created.id, allSettled)
      expect(hook.received.map((r) => r.status)).toEqual([503, 503, 200])
      const ids = new Set(hook.received.map((r) => r.headers['webhook-id']))
      expect(ids.size).toBe(1)
      for (const request of hook.received) {
        const event = await verify(request.body, request.headers, secret)
        expect(event).toEqual({
          id: row!.eventId,
          object: 'event',
          type: 'batch.completed',
          created_at: batch.completed_at,
          data: { id: created.id },
        })
        expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
        expect(request.headers['content-type']).toBe('application/json')
      }
      expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200, url: hook.url })
      expect(row!.eventId).toMatch(/^evt_[0-9a-f]{32}$/)
      // A tampered body does not verify.
      await expect(verify(`${hook.received[0]!.body} `, hook.received[0]!.headers, secret)).rejects.toThrow()
    })

    it('sends batch.failed and batch.cancelled to the tenant’s own endpoints only', async () => {
      const mine = await receiver()
      const theirs = await receiver()
      const owners = new Map<string, string>()
      const { engine, scope } = await setup([provider()], {
        webhooks: {
          endpoints: (tenant: Scope) => [{ url: owners.get(tenant.ownerId) ?? theirs.url, secret }],
        },
      })
      owners.set(scope.ownerId, mine.url)
      const bad = await uploadLines(engine, scope, [
        { custom_id: 'a', method: 'POST', url: '/v1/nope', body: {} },
      ])
      const failed = await engine.batches.create(scope, {
        input_file_id: bad.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      })
      await driveUntilStatus(engine, scope, failed.id, ['failed'])
      const { created } = await submitChatBatch(engine, scope, chatLines(2))
      await engine.batches.cancel(scope, created.id)
      await driveUntilStatus(engine, scope, created.id, ['cancelled'])
      for (const id of [failed.id, created.id]) {
        await driveDeliveries(engine, engine.clock as OffsetClock, id, allSettled)
      }
      const events = await Promise.all(mine.received.map((r) => verify(r.body, r.headers, secret)))
      expect(events.map((e) => (e as { type: string }).type).sort()).toEqual([
        'batch.cancelled',
        'batch.failed',
      ])
      expect(theirs.received).toEqual([])
    })

    it('gives up after retryForMs and never follows a redirect', async () => {
      const elsewhere = await receiver()
      const hook = await receiver(() => ({ status: 307, headers: { location: elsewhere.url } }))
      const { engine, scope, clock } = await setup([provider()], {
        webhooks: { endpoints: [{ url: hook.url, secret }], retryBaseMs: 60_000, retryForMs: 3_600_000 },
      })
      const { created } = await submitChatBatch(engine, scope, chatLines(1))
      await driveUntilStatus(engine, scope, created.id, ['completed'])
      const [row] = await driveDeliveries(engine, clock, created.id, allSettled)
      expect(row).toMatchObject({ status: 'failed', lastStatus: 307, deliveredAt: null })
      expect(row!.lastError).toContain('redirects are not followed')
      // 1 min doubling: 0, 1, 3, 7, 15, 31, 63 min — the attempt at 63 min is past the hour, and the last.
      expect(row!.attempts).toBe(7)
      expect(elsewhere.received).toEqual([])
    })

    it('re-running the terminal step after a crash stores the event once', async () => {
      const hook = await receiver()
      let crashed = false
      const { engine, scope, clock, store } = await setup(
        [provider()],
        { webhooks: { endpoints: [{ url: hook.url, secret }] } },
        (inner) => ({
          ...inner,
          batches: {
            ...inner.batches,
            release: async (id, token, wakeAt) => {
              // The process dies after the terminal step's work, before its wake-up is cleared.
              if (wakeAt === null && !crashed) {
                crashed = true
                throw new Error('crash')
              }
              return inner.batches.release(id, token, wakeAt)
            },
          },
        }),
      )
      const { created } = await submitChatBatch(engine, scope, chatLines(2))
      await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(crashed).toBe(true)
      clock.advance(10_000)
      await engine.runner.tick({ budgetMs: 50 })
      const rows = await driveDeliveries(engine, clock, created.id, allSettled)
      expect(rows).toHaveLength(1)
      expect(new Set(hook.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([rows[0]!.eventId]))
      expect(await store.batches.nextWake({ now: clock.now() + 3_600_000 })).toBeNull()
    })

    it('a delivery whose worker stalled past its lease is sent by another; the same event id, at least once', async () => {
      const hook = await receiver((n) => (n === 0 ? { status: 200, delayMs: 1_500 } : 200))
      const webhooks = { endpoints: [{ url: hook.url, secret }], timeoutMs: 5_000 }
      const a = await setup([provider()], { webhooks, runner: { leaseMs: 1_000 }, workerId: 'worker-a' })
      const { created } = await submitChatBatch(a.engine, a.scope, chatLines(1))
      await driveUntilStatus(a.engine, a.scope, created.id, ['completed'])
      // Worker A sends the delivery; the receiver holds its answer (A looks dead to the store meanwhile).
      const stalled = a.engine.runner.tick({ budgetMs: 50 })
      while (hook.received.length === 0) await new Promise((r) => setTimeout(r, 5))
      // A's lease (3 × timeout = 15 s) lapses; worker B, on the same store, takes the delivery over.
      a.clock.advance(16_000)
      const { createBatchEngine } = await import('@batchkit/core')
      const b = createBatchEngine({
        store: a.store,
        clock: a.clock,
        providers: [provider()],
        secret: 'test-secret-test-secret',
        workerId: 'worker-b',
        webhooks,
      })
      await driveDeliveries(b, a.clock, created.id, (rows) => rows[0]?.status === 'delivered')
      // A's answer arrives after B settled the delivery: A's settle is fenced off (its token is stale).
      await stalled
      const [row] = await b.webhooks.deliveries({ batchId: created.id })
      expect(row).toMatchObject({ status: 'delivered', attempts: 2 })
      expect(hook.received).toHaveLength(2)
      expect(new Set(hook.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([row!.eventId]))
      for (const r of hook.received) await verify(r.body, r.headers, secret)
    })

    it('replay sends a delivered event again with the same id and body', async () => {
      const hook = await receiver()
      const { engine, scope, clock } = await setup([provider()], {
        webhooks: { endpoints: [{ url: hook.url, secret }] },
      })
      const { created } = await submitChatBatch(engine, scope, chatLines(1))
      await driveUntilStatus(engine, scope, created.id, ['completed'])
      const [row] = await driveDeliveries(engine, clock, created.id, allSettled)
      expect(await engine.webhooks.replay(row!.eventId, { ownerId: 'someone-else' })).toBe(0)
      expect(await engine.webhooks.replay(row!.eventId, scope)).toBe(1)
      await driveDeliveries(engine, clock, created.id, allSettled)
      expect(hook.received).toHaveLength(2)
      expect(hook.received[1]!.body).toBe(hook.received[0]!.body)
      expect(hook.received[1]!.headers['webhook-id']).toBe(row!.eventId)
      expect(await engine.webhooks.deliveries({ eventId: row!.eventId, scope })).toMatchObject([
        { status: 'delivered', attempts: 1 },
      ])
    })
  })
}
