import { mockProvider } from '@batchkit/provider-mock'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { submitChatBatch } from './sdk-fixtures.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

describe('reference server GET /metrics', () => {
  let server: ReferenceServer
  beforeAll(async () => {
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0 },
      providers: [mockProvider({ name: 'mock', latencyMs: 1 })],
    })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('serves the engine’s metrics as Prometheus text, without authentication', async () => {
    const openai = new OpenAI({ baseURL: server.url, apiKey: 'sk-metrics' })
    const batch = await submitChatBatch(openai, 5, 'm')
    for (let i = 0; (await openai.batches.retrieve(batch.id)).status !== 'completed'; i++) {
      if (i > 400) throw new Error('the batch did not complete')
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const res = await fetch(`${server.url.replace(/\/v1$/, '')}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await res.text()
    expect(text).toContain('\nbatchkit_lines_recorded_total{provider="mock",outcome="succeeded"} 5\n')
    expect(text).toContain(
      '\nbatchkit_provider_calls_total{provider="mock",outcome="succeeded",status="200"} 5\n',
    )
    expect(text).toContain('\nbatchkit_batch_transitions_total{to="completed"} 1\n')
    expect(text).toMatch(
      /\nbatchkit_provider_call_duration_seconds_count\{provider="mock",outcome="succeeded"\} 5\n/,
    )
    // No tenant or batch ids in labels.
    expect(text).not.toContain(batch.id)
  })
})
