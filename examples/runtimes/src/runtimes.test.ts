import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestSchema, type TestSchema } from '@batchkit/store-postgres/testing'
import { chatLines, jsonl } from '@batchkit/testing'
import OpenAI from 'openai'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * Smoke tests of the Bun and Deno servers (the exact files the docs show): each serves batchkit, and the
 * openai SDK runs a batch on it to `completed` and downloads the output with a `content-length` — on the
 * memory store and on PostgreSQL. Both runtimes come from npm (`pnpm install`), nothing is downloaded.
 */

const here = dirname(fileURLToPath(import.meta.url))
const bin = (name: string) => join(here, '..', 'node_modules', '.bin', name)

const runtimes: [string, string[]][] = [
  ['bun', [bin('bun'), '--conditions=source', join(here, 'bun-server.ts')]],
  [
    'deno',
    [
      bin('deno'),
      'run',
      '--conditions=source',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      '--allow-sys',
      '--no-prompt',
      join(here, 'deno-server.ts'),
    ],
  ],
]

/** Starts a server process and resolves with its base URL once it listens. */
function serve(
  command: string[],
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, PORT: '0', DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the npm shims of bun and deno start the real binary as a child.
    detached: true,
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" within 60 s:\n${output}`)), 60_000)
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve({ url: match[1]!, child })
      }
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${output}`))
    })
  })
}

/** Kills a process and everything it started (its process group). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}

describe.each(runtimes)('batchkit on %s', (name, command) => {
  const children: ChildProcess[] = []
  const schemas: TestSchema[] = []
  afterAll(async () => {
    for (const child of children) killGroup(child)
    for (const schema of schemas) await schema.drop()
  })

  for (const store of ['memory', 'postgres'] as const) {
    it(`serves a batch to completed on the ${store} store, downloads with content-length`, async () => {
      const env: Record<string, string> = { BATCHKIT_SECRET: 'runtimes-secret-0123456789' }
      if (store === 'postgres') {
        const schema = await createTestSchema(`rt_${name}`)
        schemas.push(schema)
        env.DATABASE_URL = schema.url
        env.BATCHKIT_DB_SCHEMA = schema.schema
      }
      const { url, child } = await serve(command, env)
      children.push(child)
      const client = new OpenAI({ baseURL: url, apiKey: `${name}-key`, maxRetries: 0 })
      const lines = jsonl(chatLines(30))
      const file = await client.files.create({ file: new File([lines], 'in.jsonl'), purpose: 'batch' })
      let batch = await client.batches.create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      })
      for (let i = 0; i < 400 && batch.status !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 25))
        batch = await client.batches.retrieve(batch.id)
      }
      expect(batch.request_counts).toEqual({ total: 30, completed: 30, failed: 0 })
      const res = await fetch(`${url}/files/${batch.output_file_id}/content`, {
        headers: { authorization: `Bearer ${name}-key` },
      })
      const body = await res.text()
      expect(res.headers.get('content-length')).toBe(String(new TextEncoder().encode(body).byteLength))
      expect(body.trim().split('\n')).toHaveLength(30)
      killGroup(child)
    }, 120_000)
  }
})
