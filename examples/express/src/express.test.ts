import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryStore } from '@batchkit/store-memory'
import { fsBlobs } from '@batchkit/store-memory/fs'
import { chatLines, jsonl } from '@batchkit/testing'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.ts'

/**
 * The official openai SDK against an Express 5 app that parses JSON for every route and runs its own
 * auth, with batchkit mounted under /v1: the full batch workflow, tenants from `req.user`, and a large
 * upload streamed past `express.json()` without being buffered.
 */
describe('batchkit mounted in an Express 5 app', () => {
  let server: Server
  let baseURL: string
  let stop: () => Promise<void>
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'batchkit-express-'))
    const created = createApp({ store: memoryStore({ blobs: fsBlobs(dir) }) })
    stop = created.stop
    server = await new Promise<Server>((resolve) => {
      const s = created.app.listen(0, '127.0.0.1', () => resolve(s))
    })
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  })
  afterAll(async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
    await stop?.()
    await rm(dir, { recursive: true, force: true })
  })

  const client = (token: string) => new OpenAI({ baseURL, apiKey: token, maxRetries: 0 })
  const lines = (n: number) => jsonl(chatLines(n))

  it('runs the whole workflow through the SDK: upload, create (past express.json()), poll, download, list', async () => {
    const alice = client('token-alice')
    const file = await alice.files.create({ file: new File([lines(20)], 'in.jsonl'), purpose: 'batch' })
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'in.jsonl' })
    const batch = await alice.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { from: 'express' },
    })
    expect(batch.metadata).toEqual({ from: 'express' })
    let done = batch
    for (let i = 0; i < 200 && done.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 25))
      done = await alice.batches.retrieve(batch.id)
    }
    expect(done.request_counts).toEqual({ total: 20, completed: 20, failed: 0 })
    const output = await (await alice.files.content(done.output_file_id!)).text()
    expect(output.trim().split('\n')).toHaveLength(20)
    expect((await alice.batches.list()).data.map((b) => b.id)).toContain(batch.id)
    // The mount path is not lost: an unknown route names it.
    const res = await fetch(`${baseURL}/nope`, { headers: { authorization: 'Bearer token-alice' } })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('/v1/nope')
  })

  it('takes tenants from req.user: another user sees nothing and cannot cancel', async () => {
    const alice = client('token-alice')
    const bob = client('token-bob')
    const file = await alice.files.create({ file: new File([lines(200)], 'in.jsonl'), purpose: 'batch' })
    const batch = await alice.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    })
    await expect(bob.batches.retrieve(batch.id)).rejects.toMatchObject({ status: 404 })
    await expect(bob.batches.cancel(batch.id)).rejects.toMatchObject({ status: 404 })
    await expect(bob.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 })
    const cancelled = await alice.batches.cancel(batch.id)
    expect(['cancelling', 'cancelled']).toContain(cancelled.status)
    // The app's own auth still guards the mount: an unknown token never reaches batchkit.
    await expect(client('nobody').batches.list()).rejects.toMatchObject({ status: 401 })
  })

  it('streams a large upload past express.json() without holding it in memory', async () => {
    const line = `${JSON.stringify({
      custom_id: 'x',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'y'.repeat(10_000) }] },
    })}\n`
    const chunk = new TextEncoder().encode(line.repeat(100)) // ~1 MB
    const rounds = 100 // ~100 MB
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < rounds) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 20)
    try {
      const boundary = 'big-upload'
      const head = new TextEncoder().encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      )
      const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`)
      let phase = 0
      const reader = body.getReader()
      const form = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (phase === 0) {
            phase = 1
            return controller.enqueue(head)
          }
          const { done, value } = await reader.read()
          if (!done) return controller.enqueue(value)
          controller.enqueue(tail)
          controller.close()
        },
      })
      const res = await fetch(`${baseURL}/files`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer token-alice',
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body: form,
        duplex: 'half',
      } as RequestInit)
      const uploaded = (await res.json()) as { bytes: number }
      expect(res.status).toBe(200)
      expect(uploaded.bytes).toBe(chunk.byteLength * rounds)
    } finally {
      clearInterval(sampler)
    }
    const growthMb = (peak - before) / 1024 / 1024
    console.log(
      `[express] ${((chunk.byteLength * rounds) / 1e6).toFixed(0)} MB upload: RSS grew ${growthMb.toFixed(1)} MB`,
    )
    // Generous: the client and server share this process, and the server must not hold the file.
    expect(growthMb).toBeLessThan(90)
  }, 60_000)
})
