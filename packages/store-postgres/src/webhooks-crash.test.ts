import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBatchEngine } from '@batchkit/core'
import {
  chatLines,
  okAnswer,
  scriptedProvider,
  startWebhookReceiver,
  submitChatBatch,
} from '@batchkit/testing'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestSchema, type TestSchema } from './testing/index.ts'

const worker = join(dirname(fileURLToPath(import.meta.url)), '../scripts/webhook-crash-worker.ts')
const secret = `whsec_${btoa('batchkit-webhook-crash-test-secret')}`

/** Starts the worker script in a process of its own; resolves once it is ticking. */
async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', worker], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('worker ready')) resolve()
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)))
  })
  return child
}

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('kill -9 of a worker mid-delivery', () => {
  let db: TestSchema
  const children: ChildProcess[] = []
  beforeAll(async () => {
    db = await createTestSchema('webhook_crash')
  })
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL')
    await db?.drop()
  })

  it('another worker delivers the event after the lease lapses: one event id, at least once', {
    timeout: 60_000,
  }, async () => {
    // The first attempt never gets an answer: the worker is killed while it waits.
    const receiver = await startWebhookReceiver((n) => (n === 0 ? { status: 200, delayMs: 60_000 } : 204))
    try {
      const env = {
        DATABASE_URL: db.url,
        BATCHKIT_SCHEMA: db.schema,
        WEBHOOK_URL: receiver.url,
        WEBHOOK_SECRET: secret,
      }
      const store = db.store()
      const engine = createBatchEngine({
        store,
        providers: [scriptedProvider('scripted', okAnswer)],
        secret: 'test-secret-test-secret',
      })
      const scope = { ownerId: 'owner-crash' }
      const { created } = await submitChatBatch(engine, scope, chatLines(3))
      const first = await startWorker(env)
      children.push(first)
      await until(() => receiver.received.length === 1, 'the first delivery attempt')
      first.kill('SIGKILL')
      const [inFlight] = (await store.webhooks!.list({ batchId: created.id, limit: 10 })).data
      expect(inFlight).toMatchObject({ status: 'pending', attempts: 1 })

      const second = await startWorker(env)
      children.push(second)
      await until(
        async () =>
          (await store.webhooks!.list({ batchId: created.id, limit: 10 })).data[0]?.status === 'delivered',
        'the delivery by the second worker',
      )
      second.kill('SIGKILL')
      const rows = (await store.webhooks!.list({ batchId: created.id, limit: 10 })).data
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 })
      expect(receiver.received).toHaveLength(2)
      const client = new OpenAI({ apiKey: 'unused', webhookSecret: secret })
      for (const request of receiver.received) {
        expect(request.headers['webhook-id']).toBe(rows[0]!.eventId)
        const event = await client.webhooks.unwrap(request.body, request.headers)
        expect(event).toMatchObject({
          id: rows[0]!.eventId,
          type: 'batch.completed',
          data: { id: created.id },
        })
      }
      expect((await engine.batches.get(scope, created.id)).status).toBe('completed')
    } finally {
      await receiver.close()
    }
  })
})
