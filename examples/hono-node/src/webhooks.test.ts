import { mockProvider } from '@batchkit/provider-mock'
import { startWebhookReceiver, type WebhookReceiver } from '@batchkit/testing'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { submitChatBatch } from './sdk-fixtures.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

const secret = `whsec_${Buffer.from('reference-server-webhook-key-0123').toString('base64')}`

describe('reference server webhooks (BATCHKIT_WEBHOOK_URL / BATCHKIT_WEBHOOK_SECRET)', () => {
  let receiver: WebhookReceiver
  let server: ReferenceServer

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    const config = readConfig({ BATCHKIT_WEBHOOK_URL: receiver.url, BATCHKIT_WEBHOOK_SECRET: secret })
    server = await startReferenceServer({
      config: { ...config, port: 0, logLevel: 'silent' },
      providers: [mockProvider({ name: 'mock', latencyMs: 1 })],
    })
  })
  afterAll(async () => {
    await server?.close()
    await receiver?.close()
  })

  it('signs batch.completed so that the openai SDK verifies it', async () => {
    const openai = new OpenAI({
      baseURL: server.url,
      apiKey: 'tenant-w',
      defaultHeaders: { 'x-provider': 'mock' },
    })
    const batch = await submitChatBatch(openai, 5, 'w')
    const started = Date.now()
    while (receiver.received.length === 0 && Date.now() - started < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const [delivery] = receiver.received
    expect(delivery).toBeDefined()
    const event = await new OpenAI({ apiKey: 'unused', webhookSecret: secret }).webhooks.unwrap(
      delivery!.body,
      delivery!.headers,
    )
    expect(event).toMatchObject({ object: 'event', type: 'batch.completed', data: { id: batch.id } })
    expect(delivery!.headers['webhook-id']).toBe(event.id)
  })

  it('refuses a webhook URL without its secret', () => {
    expect(() => readConfig({ BATCHKIT_WEBHOOK_URL: 'https://hooks.example.com/b' })).toThrow(
      'BATCHKIT_WEBHOOK_URL and BATCHKIT_WEBHOOK_SECRET',
    )
    expect(readConfig({}).webhooks).toBeUndefined()
  })
})
