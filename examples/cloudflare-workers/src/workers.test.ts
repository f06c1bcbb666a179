import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestSchema, type TestSchema } from '@batchkit/store-postgres/testing'
import { chatLines, jsonl } from '@batchkit/testing'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The Workers example in workerd (`wrangler dev --local`, offline), driven by the openai SDK: on
 * PostgreSQL (postgres.js over `nodejs_compat`, COPY off by itself) a batch runs to completed on
 * Durable Object alarms and a 48 MB file comes back byte for byte with its `content-length`; on the
 * memory store in the Durable Object, a batch whose lines hit 429s with a 2 s `retry-after` completes
 * without a request arriving in between (the alarm follows `nextDueAt`).
 */

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

/** `wrangler dev --local` on a free port with `vars`; resolves with its base URL once it is ready. */
async function wranglerDev(
  vars: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'batchkit-workers-'))
  const args = [
    'dev',
    '--local',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    dir,
    '--log-level',
    'warn',
  ]
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`)
  const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: root,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_LOG_PATH: dir,
      CLOUDFLARE_API_TOKEN: '',
      CI: 'true',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: wrangler starts workerd and helpers that must die with it.
    detached: true,
  })
  let output = ''
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`wrangler exited with ${child.exitCode}:\n${output}`)
    try {
      const res = await fetch(`${url}/v1/batches`, { headers: { authorization: 'Bearer probe' } })
      if (res.status === 200) return { url, child, dir }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  killGroup(child)
  throw new Error(`wrangler dev did not answer within 60 s:\n${output}`)
}

/** Kills a process and everything it started (its process group). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}

function stop(server: { child: ChildProcess; dir: string } | undefined): void {
  if (!server) return
  killGroup(server.child)
  rmSync(server.dir, { recursive: true, force: true })
}

async function completed(client: OpenAI, id: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  let batch = await client.batches.retrieve(id)
  while (!['completed', 'failed', 'cancelled', 'expired'].includes(batch.status) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250))
    batch = await client.batches.retrieve(id)
  }
  return batch
}

beforeAll(() => {
  // The Worker bundles the packages' built output (`dist`), as a deployment would.
  execFileSync('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: join(root, '../..'),
    stdio: 'ignore',
  })
}, 300_000)

describe('batchkit on Workers with PostgreSQL', () => {
  let schema: TestSchema
  let server: Awaited<ReturnType<typeof wranglerDev>> | undefined
  beforeAll(async () => {
    schema = await createTestSchema('workers')
    server = await wranglerDev({
      DATABASE_URL: schema.url,
      BATCHKIT_DB_SCHEMA: schema.schema,
      BATCHKIT_SECRET: 'workers-test-secret-0123456789',
    })
  }, 120_000)
  afterAll(async () => {
    stop(server)
    await schema?.drop()
  })

  it('runs a batch to completed on Durable Object alarms, through the openai SDK', async () => {
    const client = new OpenAI({ baseURL: `${server!.url}/v1`, apiKey: 'workers-tenant', maxRetries: 2 })
    const file = await client.files.create({
      file: new File([jsonl(chatLines(40))], 'in.jsonl'),
      purpose: 'batch',
    })
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    })
    const done = await completed(client, batch.id)
    expect(done.request_counts).toEqual({ total: 40, completed: 40, failed: 0 })
    const output = await (await client.files.content(done.output_file_id!)).text()
    expect(output.trim().split('\n')).toHaveLength(40)
  }, 120_000)

  it('streams a 48 MB file back byte for byte, with its content-length, the client open to the end', async () => {
    const client = new OpenAI({ baseURL: `${server!.url}/v1`, apiKey: 'workers-tenant', maxRetries: 0 })
    const size = 48 * 1024 * 1024
    const bytes = new Uint8Array(size)
    for (let i = 0; i < size; i += 4096) bytes.set(createHash('sha256').update(String(i)).digest(), i)
    const file = await client.files.create({ file: new File([bytes], 'big.bin'), purpose: 'user_data' })
    expect(file.bytes).toBe(size)
    const res = await fetch(`${server!.url}/v1/files/${file.id}/content`, {
      headers: { authorization: 'Bearer workers-tenant' },
    })
    expect(res.headers.get('content-length')).toBe(String(size))
    const back = new Uint8Array(await res.arrayBuffer())
    expect(back.byteLength).toBe(size)
    expect(createHash('sha256').update(back).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    )
  }, 120_000)
})

describe('batchkit on Workers with the memory store in a Durable Object', () => {
  let server: Awaited<ReturnType<typeof wranglerDev>> | undefined
  beforeAll(async () => {
    server = await wranglerDev({ BATCHKIT_SECRET: 'workers-test-secret-0123456789' })
  }, 120_000)
  afterAll(() => stop(server))

  it('never stalls on retry backoff: the alarm wakes the runner when the retries are due', async () => {
    const client = new OpenAI({ baseURL: `${server!.url}/v1`, apiKey: 'workers-memory', maxRetries: 2 })
    const file = await client.files.create({
      file: new File([jsonl(chatLines(300))], 'in.jsonl'),
      purpose: 'batch',
    })
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    })
    const done = await completed(client, batch.id)
    expect(done.status).toBe('completed')
    expect(done.request_counts).toEqual({ total: 300, completed: 300, failed: 0 })
  }, 120_000)
})
