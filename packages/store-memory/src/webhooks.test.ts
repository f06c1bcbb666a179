import { offsetClock } from '@batchkit/core'
import { describeWebhookScenarios } from '@batchkit/testing'
import OpenAI from 'openai'
import { memoryStore } from './memory-store.ts'

describeWebhookScenarios(
  'memory store',
  () => {
    const clock = offsetClock()
    return { store: memoryStore({ clock }), clock }
  },
  async (body, headers, secret) =>
    new OpenAI({ apiKey: 'unused', webhookSecret: secret }).webhooks.unwrap(body, headers),
)
