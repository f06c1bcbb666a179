/**
 * batchkit's own CPU per line, without the network: scenario 1's batch (memory store, the
 * OpenAI-compatible provider, concurrency 64) with a `fetch` that answers every call at once with a
 * chat completion and OpenAI's rate-limit headers, next to a plain loop over the same `fetch`. The
 * difference is what the engine, the provider and the store cost per line.
 *
 * `node --conditions=source --import tsx src/procs/runner-cpu.ts` (from `bench/`). Env: BENCH_LINES
 * (default 20000), BENCH_REPS (3), BENCH_PROFILE (a `.cpuprofile` path: profiles the last batch),
 * BENCH_TELEMETRY (`none` by default; `prometheus`, `otel-noop`, `otel-sdk`: see `lib/bench-telemetry.ts`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openaiCompatible } from '@batchkit/provider-openai'
import { benchTelemetry, type TelemetryKind, telemetryKinds } from '../lib/bench-telemetry.ts'
import { runBatch } from '../lib/engine-run.ts'
import { writeJsonl } from '../lib/jsonl.ts'
import { openStore } from '../lib/stores.ts'

const lines = Number(process.env.BENCH_LINES ?? 20_000)
const reps = Number(process.env.BENCH_REPS ?? 3)
const profilePath = process.env.BENCH_PROFILE
const telemetryKind = (process.env.BENCH_TELEMETRY ?? 'none') as TelemetryKind
if (!telemetryKinds.includes(telemetryKind)) {
  throw new Error(`BENCH_TELEMETRY must be one of ${telemetryKinds.join(', ')}`)
}
const telemetry = benchTelemetry(telemetryKind)

const answer = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'A fake answer.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
})
const answerHeaders = {
  'content-type': 'application/json',
  'x-request-id': 'req_1',
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '1000000',
  'x-ratelimit-remaining-tokens': '999000',
  'x-ratelimit-reset-tokens': '1ms',
}

/** Answers after one turn of the event loop, as a socket read would. */
async function instantFetch(): Promise<Response> {
  await new Promise((resolve) => setImmediate(resolve))
  return new Response(answer, { status: 200, headers: answerHeaders })
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1_000
}

/** A plain loop with 64 calls in flight over the same `fetch`, reading every answer. */
async function plainLoop(): Promise<number> {
  const start = process.cpuUsage()
  let next = 0
  const lane = async (): Promise<void> => {
    while (next++ < lines) await (await instantFetch()).text()
  }
  await Promise.all(Array.from({ length: 64 }, lane))
  return cpuMsSince(start)
}

const tmp = await mkdtemp(join(tmpdir(), 'batchkit-runner-cpu-'))
try {
  const inputPath = join(tmp, 'in.jsonl')
  await writeJsonl(inputPath, lines, 150)
  const provider = openaiCompatible({
    name: 'upstream',
    baseURL: 'http://127.0.0.1:9/v1',
    concurrency: 64,
    apiKey: 'sk-bench',
    fetch: instantFetch,
  })
  for (let rep = 0; rep < reps; rep++) {
    const plainMs = await plainLoop()
    const kit = await openStore('memory')
    const session = profilePath && rep === reps - 1 ? new Session() : undefined
    if (session) {
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.start')
    }
    const run = await runBatch({ store: kit.store, provider, inputPath, telemetry })
    if (session && profilePath) {
      const { profile } = await session.post('Profiler.stop')
      await writeFile(profilePath, JSON.stringify(profile))
      session.disconnect()
    }
    await kit.close()
    const perLine = (ms: number): string => `${((ms * 1000) / lines).toFixed(0)} µs/line`
    console.log(
      `plain loop ${perLine(plainMs)}, batchkit ${perLine(run.cpuMs)} of CPU (telemetry: ${telemetryKind})`,
    )
  }
} finally {
  await rm(tmp, { recursive: true, force: true })
}
