import { mockProvider } from '@batchkit/provider-mock'
import { postgresStore } from '@batchkit/store-postgres'
import { startThrowawayCluster, type ThrowawayCluster } from '@batchkit/store-postgres/testing'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

/**
 * A database outage under a running reference server (a throwaway PostgreSQL cluster stopped as a crash
 * would, then started again): the process stays up, requests that need the database answer 503 with
 * OpenAI's envelope and `retry-after` at once instead of hanging, `/ready` says 503 while `/health` says
 * 200, and once the database is back requests succeed within about a second and a batch that was running
 * completes with every line exactly once.
 */
describe('a database outage under the reference server', () => {
  let cluster: ThrowawayCluster
  let server: ReferenceServer
  const logs: string[] = []

  beforeAll(async () => {
    cluster = await startThrowawayCluster()
    const store = postgresStore({ url: cluster.url, connection: { max: 4 } })
    await store.migrate()
    const log = (level: string) => (message: string) => void logs.push(`${level} ${message}`)
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0, pollMs: 50 },
      store,
      providers: [mockProvider({ name: 'mock', latencyMs: 30, concurrency: 8 })],
      logger: { info: log('info'), warn: log('warn'), error: log('error') },
    })
  }, 60_000)
  afterAll(async () => {
    await server?.close()
    await cluster?.stop()
  })

  const get = (path: string) =>
    fetch(`${server.url.replace(/\/v1$/, '')}${path}`, { headers: { authorization: 'Bearer outage' } })

  it('answers 503 fast during the outage, and recovers within about a second', async () => {
    const client = new OpenAI({
      baseURL: server.url,
      apiKey: 'outage',
      defaultHeaders: { 'x-provider': 'mock' },
    })
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        custom_id: `r${i}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'm', messages: [{ role: 'user', content: `q${i}` }] },
      }),
    )
    const file = await client.files.create({
      file: new File([`${lines.join('\n')}\n`], 'in.jsonl'),
      purpose: 'batch',
    })
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    })
    // Let it get going, then take the database away mid-run.
    for (let i = 0; i < 200; i++) {
      if ((await client.batches.retrieve(batch.id)).request_counts!.completed > 20) break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect((await get('/ready')).status).toBe(200)
    await cluster.down()

    const slowest = { ms: 0 }
    for (let i = 0; i < 10; i++) {
      const started = performance.now()
      const res = await get(`/v1/batches/${batch.id}`)
      slowest.ms = Math.max(slowest.ms, performance.now() - started)
      expect(res.status).toBe(503)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      const body = (await res.json()) as { error: Record<string, unknown> }
      expect(body.error).toMatchObject({ code: 'service_unavailable', type: 'server_error' })
      expect(String(body.error.message)).not.toMatch(/ECONN|127\.0\.0\.1|select/i)
    }
    const ready = await get('/ready')
    expect(ready.status).toBe(503)
    expect(ready.headers.get('retry-after')).not.toBeNull()
    expect((await get('/health')).status).toBe(200)
    // Answers come at once, never after a connection timeout (postgres.js waits 30 s by default).
    expect(slowest.ms).toBeLessThan(5_000)
    await new Promise((r) => setTimeout(r, 1_500))

    await cluster.up()
    const back = performance.now()
    let recoveredMs = Number.POSITIVE_INFINITY
    for (let i = 0; i < 400; i++) {
      if ((await get(`/v1/batches/${batch.id}`)).status === 200) {
        recoveredMs = performance.now() - back
        break
      }
      await new Promise((r) => setTimeout(r, 25))
    }
    console.log(
      `[outage] slowest answer during the outage: ${Math.round(slowest.ms)} ms; first 200 after the database returned: ${Math.round(recoveredMs)} ms`,
    )
    expect(recoveredMs).toBeLessThan(5_000)

    let done = await client.batches.retrieve(batch.id)
    for (let i = 0; i < 600 && done.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      done = await client.batches.retrieve(batch.id)
    }
    expect(done.status).toBe('completed')
    expect(done.request_counts).toEqual({ total: 300, completed: 300, failed: 0 })
    const output = await (await client.files.content(done.output_file_id!)).text()
    const ids = output
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)
    expect(new Set(ids).size).toBe(300)
    // One line when ticks start failing and one when they succeed again; not one per retry.
    expect(logs.filter((l) => l.includes('runner tick failed')).length).toBeLessThanOrEqual(2)
    expect(logs.filter((l) => l.includes('succeed again')).length).toBeGreaterThanOrEqual(1)
  }, 90_000)
})
