import { createBatchEngine } from '@batchkit/core'
import { openaiCompatible } from '@batchkit/provider-openai'
import { postgresStore } from '@batchkit/store-postgres'
import { startThrowawayCluster } from '@batchkit/store-postgres/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configProblem, readConfig } from './config.ts'
import {
  expectConsistentFiles,
  type ProcessHarness,
  processHarness,
  upstreamKey,
} from './process-fixtures.ts'
import { startExample } from './processes.ts'

describe('starting the reference server and workers', () => {
  let harness: ProcessHarness
  beforeAll(async () => {
    harness = await processHarness('startup')
  })
  afterAll(() => harness?.close())

  it('refuses to start on a shared store without a shared secret, with a clear message', async () => {
    const { BATCHKIT_SECRET: _, ...env } = harness.env
    for (const entry of ['main', 'worker'] as const) {
      const process = startExample(entry, { ...env, PORT: '0' })
      expect(await process.exited).toBe(2)
      expect(process.output()).toMatch(/BATCHKIT_SECRET is required with DATABASE_URL/)
    }
    expect(configProblem(readConfig({}))).toBeNull()
    expect(configProblem(readConfig({ DATABASE_URL: 'postgres://h/db', BATCHKIT_SECRET: 'short' }))).toMatch(
      /16/,
    )
  })

  it('rotates the secret: a worker with a new secret runs batches sealed with the previous one', async () => {
    const batch = await harness.submit(20, { prefix: 'rotated' })
    const worker = startExample('worker', {
      ...harness.env,
      BATCHKIT_SECRET: 'the-new-secret-of-this-deployment',
      BATCHKIT_PREVIOUS_SECRETS: ` ${harness.env.BATCHKIT_SECRET}, an-even-older-secret-000000`,
    })
    try {
      for (let i = 0; i < 300 && (await harness.batch(batch.id)).status !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 50))
      }
      expectConsistentFiles(await harness.results(batch.id), 20, 'rotated')
    } finally {
      await worker.stop()
    }
  })

  it('waits for a database that is down at start, then works', async () => {
    const cluster = await startThrowawayCluster()
    try {
      const setup = postgresStore({ url: cluster.url })
      await setup.migrate()
      await setup.close()
      await cluster.down()
      const env = {
        ...harness.env,
        DATABASE_URL: cluster.url,
        BATCHKIT_DB_SCHEMA: 'batchkit',
        BATCHKIT_LOG: 'info',
      }
      const worker = startExample('worker', env)
      try {
        await worker.waitFor(/database unreachable; waiting for it/)
        await new Promise((r) => setTimeout(r, 1_500))
        expect(worker.child.exitCode).toBeNull()
        await cluster.up()
        await worker.waitFor(/database reachable; starting/, 20_000)
        await worker.waitFor(/running/)
        // It works: a batch submitted to that database completes.
        const store = postgresStore({ url: cluster.url })
        const engine = createBatchEngine({
          store,
          secret: harness.env.BATCHKIT_SECRET,
          providers: [openaiCompatible({ baseURL: harness.env.OPENAI_BASE_URL, mode: 'emulated' })],
        })
        const scope = { ownerId: 'owner-late-start' }
        const line = JSON.stringify({
          custom_id: 'a',
          method: 'POST',
          url: '/v1/chat/completions',
          body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        })
        const file = await engine.files.upload(scope, new Response(`${line}\n`).body!, {
          filename: 'a.jsonl',
          purpose: 'batch',
        })
        const created = await engine.batches.create(
          scope,
          { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
          { provider: 'openai', credential: upstreamKey },
        )
        let status = created.status
        for (let i = 0; i < 300 && status !== 'completed'; i++) {
          await new Promise((r) => setTimeout(r, 50))
          status = (await engine.batches.get(scope, created.id)).status
        }
        expect(status).toBe('completed')
        await store.close()
      } finally {
        await worker.stop()
      }
    } finally {
      await cluster.stop()
    }
  }, 90_000)
})
