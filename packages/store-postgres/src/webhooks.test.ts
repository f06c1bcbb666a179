import { offsetClock } from '@batchkit/core'
import { describeWebhookScenarios } from '@batchkit/testing'
import OpenAI from 'openai'
import { createTestSchema } from './testing/index.ts'

// A schema per scenario: runners claim every due delivery, so scenarios must not see each other's.
describeWebhookScenarios(
  'postgres store',
  async () => {
    const db = await createTestSchema('webhooks')
    return { store: db.store(), clock: offsetClock(), cleanup: () => db.drop() }
  },
  async (body, headers, secret) =>
    new OpenAI({ apiKey: 'unused', webhookSecret: secret }).webhooks.unwrap(body, headers),
)
