/**
 * The chaos run: a reference server and workers on a throwaway PostgreSQL cluster, batches from two
 * tenants driven by the official `openai` SDK against a fake upstream, while processes are killed with
 * SIGKILL and the database restarts and goes away. Used by `chaos.test.ts` (CI size) and `run.ts`
 * (`pnpm --filter @batchkit/example-hono-node chaos`, any size).
 */
import { createServer } from 'node:net'
import { postgresStore } from '@batchkit/store-postgres'
import { startThrowawayCluster, type ThrowawayCluster } from '@batchkit/store-postgres/testing'
import { type FakeUpstream, startFakeUpstream } from '@batchkit/testing/fake-upstream'
import OpenAI from 'openai'
import { type RunningProcess, startExample } from '../processes.ts'

/** Knobs of a chaos run. */
export interface ChaosOptions {
  /** Seed of every random choice (which process dies when, pauses). */
  seed: number
  /** Lines per batch; three batches (two tenants), the third cancelled mid-run. */
  lines: number
  /** SIGKILLs of the server or a worker, each restarted after a short pause. */
  kills: number
  /** Immediate PostgreSQL restarts. */
  restarts: number
  /** Length of the one database outage, in ms (0: none). */
  outageMs: number
  /** Worker processes besides the server. */
  workers: number
  /** Upstream latency per call, in ms (keeps lines in flight when things die). */
  latencyMs: number
  /** Lines in flight per process. */
  concurrency: number
  /** Lease of claimed work, in ms (how long a dead process's lines wait before they run again). */
  leaseMs: number
  log?: (line: string) => void
}

/** One thing the run did to the system, and how many upstream calls were in flight then. */
export interface ChaosEvent {
  at: number
  what: string
  inFlight: number
}

/** What a chaos run found. */
export interface ChaosReport {
  events: ChaosEvent[]
  batches: { id: string; tenant: string; status: string; total: number; completed: number; failed: number }[]
  /** Invariant violations; empty when the run passed. */
  problems: string[]
  /** Upstream calls made for a line that already had one (the price of each kill and restart). */
  callsSpentTwice: number
  /** Upstream calls in flight at the events, summed (what a kill or restart could at worst repeat). */
  inFlightAtEvents: number
  upstreamCalls: number
  durationMs: number
}

/** A small seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

function jsonl(prefix: string, lines: number): string {
  let text = ''
  for (let i = 1; i <= lines; i++) {
    text += `${JSON.stringify({
      custom_id: `${prefix}-${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], max_tokens: 8 },
    })}\n`
  }
  return text
}

/** Retries `call` through connection errors and 5xx while the server is down or restarting. */
async function persist<T>(call: () => Promise<T>, what: string, timeoutMs = 120_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    try {
      return await call()
    } catch (error) {
      if (Date.now() - started > timeoutMs)
        throw new Error(`${what}: still failing after ${timeoutMs} ms: ${error}`)
      await sleep(250)
    }
  }
}

/** A process of the run, restarted in place after a kill; counts exits nobody asked for. */
class Member {
  process!: RunningProcess
  killedByUs = false
  readonly unexpected: string[] = []

  constructor(
    readonly name: string,
    private readonly start: () => RunningProcess,
    private readonly ready: RegExp,
  ) {}

  async up(): Promise<void> {
    this.killedByUs = false
    const process = this.start()
    this.process = process
    void process.exited.then((code) => {
      if (!this.killedByUs && this.process === process) {
        this.unexpected.push(
          `${this.name} (pid ${process.pid}) exited on its own with ${code}:\n${process.output().slice(-2_000)}`,
        )
      }
    })
    await process.waitFor(this.ready, 60_000)
  }

  async kill(): Promise<void> {
    this.killedByUs = true
    await this.process.stop('SIGKILL')
  }

  alive(): boolean {
    return this.process.child.exitCode === null && this.process.child.signalCode === null
  }
}

/**
 * Runs the chaos scenario and checks its invariants: every line exactly once in the output or error
 * file, `request_counts` equal to the files, no error lines where the upstream never failed (the
 * cancelled batch has only `batch_cancelled` ones), and every process alive at the end that was not
 * killed on purpose (none exited on its own).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined)
  const rand = random(options.seed)
  const started = Date.now()
  const events: ChaosEvent[] = []
  const problems: string[] = []
  let cluster: ThrowawayCluster | undefined
  let upstream: FakeUpstream | undefined
  const members: Member[] = []
  try {
    cluster = await startThrowawayCluster()
    const setup = postgresStore({ url: cluster.url })
    await setup.migrate()
    await setup.close()
    upstream = await startFakeUpstream({ latencyMs: options.latencyMs })
    const port = await freePort()
    const env = {
      DATABASE_URL: cluster.url,
      BATCHKIT_SECRET: 'chaos-secret-0123456789abcdef',
      OPENAI_BASE_URL: upstream.url,
      OPENAI_BATCH_MODE: 'emulated',
      OPENAI_CONCURRENCY: String(options.concurrency),
      BATCHKIT_LEASE_MS: String(options.leaseMs),
      BATCHKIT_POLL_MS: '100',
      BATCHKIT_DB_POOL: '4',
      BATCHKIT_LOG: 'warn',
    }
    members.push(
      new Member('server', () => startExample('main', { ...env, PORT: String(port) }), /listening on/),
    )
    for (let i = 1; i <= options.workers; i++) {
      members.push(
        new Member(`worker-${i}`, () => startExample('worker', env), /batchkit worker \d+ running/),
      )
    }
    for (const member of members) await member.up()
    const baseURL = `http://127.0.0.1:${port}/v1`
    const tenants = {
      a: new OpenAI({
        baseURL,
        apiKey: 'sk-chaos-tenant-a',
        maxRetries: 0,
        defaultHeaders: { 'x-provider': 'openai' },
      }),
      b: new OpenAI({
        baseURL,
        apiKey: 'sk-chaos-tenant-b',
        maxRetries: 0,
        defaultHeaders: { 'x-provider': 'openai' },
      }),
    }
    const plan = [
      { tenant: 'a' as const, prefix: 'a1' },
      { tenant: 'b' as const, prefix: 'b1' },
      { tenant: 'a' as const, prefix: 'a2-cancelled' },
    ]
    const batches: { id: string; tenant: 'a' | 'b'; prefix: string }[] = []
    for (const { tenant, prefix } of plan) {
      const client = tenants[tenant]
      const file = await client.files.create({
        file: new File([jsonl(prefix, options.lines)], `${prefix}.jsonl`),
        purpose: 'batch',
      })
      const batch = await client.batches.create({
        input_file_id: file.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      })
      batches.push({ id: batch.id, tenant, prefix })
    }
    log(`[chaos] ${batches.length} batches of ${options.lines} lines created; chaos begins`)

    const event = (what: string): void => {
      const inFlight = upstream!.stats().inFlight
      events.push({ at: Date.now() - started, what, inFlight })
      log(
        `[chaos] +${((Date.now() - started) / 1000).toFixed(1)} s ${what} (${inFlight} upstream calls in flight)`,
      )
    }
    const kinds: ('kill' | 'restart' | 'outage' | 'cancel')[] = [
      ...Array.from({ length: options.kills }, () => 'kill' as const),
      ...Array.from({ length: options.restarts }, () => 'restart' as const),
      ...(options.outageMs > 0 ? ['outage' as const] : []),
    ]
    // A seeded shuffle, with the cancel early on.
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
    }
    kinds.splice(Math.min(2, kinds.length), 0, 'cancel')
    for (const kind of kinds) {
      await sleep(500 + rand() * 1_500)
      if (kind === 'kill') {
        const member = members[Math.floor(rand() * members.length)]!
        event(`SIGKILL ${member.name} (pid ${member.process.pid})`)
        await member.kill()
        await sleep(200 + rand() * 1_000)
        await member.up()
      } else if (kind === 'restart') {
        event('PostgreSQL restart -m immediate')
        await cluster.restart()
      } else if (kind === 'outage') {
        event(`PostgreSQL down for ${options.outageMs / 1000} s`)
        await cluster.down()
        await sleep(options.outageMs)
        await cluster.up()
        event('PostgreSQL back')
      } else {
        const cancelled = batches[2]!
        event(`cancel ${cancelled.id}`)
        await persist(() => tenants[cancelled.tenant].batches.cancel(cancelled.id), 'cancel')
      }
    }
    log('[chaos] chaos over; waiting for the batches to finish')

    const report: ChaosReport['batches'] = []
    for (const batch of batches) {
      const client = tenants[batch.tenant]
      let done = await persist(() => client.batches.retrieve(batch.id), 'retrieve')
      const deadline = Date.now() + 180_000
      while (
        !['completed', 'cancelled', 'failed', 'expired'].includes(done.status) &&
        Date.now() < deadline
      ) {
        await sleep(250)
        done = await persist(() => client.batches.retrieve(batch.id), 'retrieve')
      }
      const counts = done.request_counts ?? { total: 0, completed: 0, failed: 0 }
      report.push({ id: batch.id, tenant: batch.tenant, status: done.status, ...counts })
      const cancelled = batch.prefix.includes('cancelled')
      if (done.status !== (cancelled ? 'cancelled' : 'completed')) {
        problems.push(`${batch.prefix}: status ${done.status}`)
        continue
      }
      const read = async (id: string | null | undefined) =>
        id
          ? (await persist(() => client.files.content(id), 'download').then((r) => r.text()))
              .split('\n')
              .filter(Boolean)
          : []
      const output = (await read(done.output_file_id)).map((l) => JSON.parse(l) as { custom_id: string })
      const errors = (await read(done.error_file_id)).map(
        (l) => JSON.parse(l) as { custom_id: string; error: { code: string } | null },
      )
      const ids = [...output, ...errors].map((l) => l.custom_id)
      const unique = new Set(ids)
      if (ids.length !== options.lines || unique.size !== options.lines) {
        problems.push(
          `${batch.prefix}: ${ids.length} result lines, ${unique.size} distinct, expected ${options.lines}`,
        )
      }
      if (
        counts.total !== options.lines ||
        counts.completed !== output.length ||
        counts.failed !== errors.length
      ) {
        problems.push(
          `${batch.prefix}: counts ${JSON.stringify(counts)} do not match the files (${output.length} + ${errors.length})`,
        )
      }
      const wrong = errors.filter((l) => !cancelled || l.error?.code !== 'batch_cancelled')
      if (wrong.length > 0) {
        problems.push(
          `${batch.prefix}: ${wrong.length} error lines although the upstream never failed, e.g. ${JSON.stringify(wrong[0])}`,
        )
      }
    }
    for (const member of members) {
      problems.push(...member.unexpected)
      if (!member.alive()) problems.push(`${member.name} is not running at the end`)
    }
    const perKey = new Map<string, number>()
    for (const call of upstream.calls) {
      if (call.idempotencyKey !== null)
        perKey.set(call.idempotencyKey, (perKey.get(call.idempotencyKey) ?? 0) + 1)
    }
    let callsSpentTwice = 0
    for (const n of perKey.values()) if (n > 1) callsSpentTwice += n - 1
    return {
      events,
      batches: report,
      problems,
      callsSpentTwice,
      inFlightAtEvents: events.reduce((sum, e) => sum + e.inFlight, 0),
      upstreamCalls: upstream.calls.length,
      durationMs: Date.now() - started,
    }
  } finally {
    for (const member of members) await member.kill().catch(() => undefined)
    await upstream?.close()
    await cluster?.stop()
  }
}

/** The report as a table to print. */
export function formatChaosReport(report: ChaosReport): string {
  const lines = [
    `chaos run: ${(report.durationMs / 1000).toFixed(1)} s, ${report.upstreamCalls} upstream calls`,
    ...report.events.map(
      (e) => `  +${(e.at / 1000).toFixed(1).padStart(5)} s  ${e.what.padEnd(48)} in flight ${e.inFlight}`,
    ),
    ...report.batches.map(
      (b) =>
        `  ${b.id} (tenant ${b.tenant}): ${b.status}, total ${b.total}, completed ${b.completed}, failed ${b.failed}`,
    ),
    `  upstream calls spent twice: ${report.callsSpentTwice}; calls in flight at the events: ${report.inFlightAtEvents}`,
    report.problems.length === 0
      ? '  invariants: all hold'
      : `  PROBLEMS:\n${report.problems.map((p) => `    - ${p}`).join('\n')}`,
  ]
  return lines.join('\n')
}
