/**
 * Runs scenario 1's batchkit side alone, for profiling the runner:
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=source --import tsx src/procs/profile-runner.ts`
 * Env: BENCH_STORE (memory|postgres), BENCH_LINES (default 20000), BENCH_CONCURRENCY (64), BENCH_LATENCY (0),
 * BENCH_REPS (1), BENCH_FETCH_SIGNAL=0 (calls without their abort signal); BENCH_CEILING=1 to run the
 * plain fetch loop instead, `both` to run it before each batch in the same process (as scenario 1 does); BENCH_PROFILE_DIR to CPU-profile only the measured runs (each
 * batch from its upload to its terminal status, each fetch loop), one `.cpuprofile` per run, without the
 * process's start-up and input generation that `--cpu-prof` also records.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openaiCompatible } from '@batchkit/provider-openai'
import { fetchLoop } from '../lib/ceiling.ts'
import { runBatch } from '../lib/engine-run.ts'
import { chatBodies, writeJsonl } from '../lib/jsonl.ts'
import { fmtMs } from '../lib/report.ts'
import { openStore, type StoreKind } from '../lib/stores.ts'
import { startUpstream } from '../lib/upstream.ts'

const lines = Number(process.env.BENCH_LINES ?? 20_000)
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64)
const kind = (process.env.BENCH_STORE ?? 'memory') as StoreKind
const ceiling = process.env.BENCH_CEILING ?? ''
const profileDir = process.env.BENCH_PROFILE_DIR
const tmp = await mkdtemp(join(tmpdir(), 'batchkit-profile-'))
const inputPath = join(tmp, 'in.jsonl')
await writeJsonl(inputPath, lines, 150)
const upstream = await startUpstream({ latencyMs: Number(process.env.BENCH_LATENCY ?? 0) })
/** BENCH_FETCH_SIGNAL=0: calls go out without their abort signal (to measure what the signal costs). */
const withoutSignal: typeof fetch = (input, init) => fetch(input, { ...init, signal: null })
const provider = openaiCompatible({
  name: 'upstream',
  baseURL: upstream.url,
  concurrency,
  apiKey: 'sk-bench',
  ...(process.env.BENCH_FETCH_SIGNAL === '0' ? { fetch: withoutSignal } : {}),
})

/** Runs `work`, CPU-profiled into `<BENCH_PROFILE_DIR>/<name>.cpuprofile` when that is set. */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!profileDir) return work()
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    const result = await work()
    const { profile } = await session.post('Profiler.stop')
    await mkdir(profileDir, { recursive: true })
    await writeFile(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile))
    return result
  } finally {
    session.disconnect()
  }
}

async function runCeiling(rep: number): Promise<void> {
  const bodies = chatBodies(lines, 150)
  const headers = { accept: 'application/json', authorization: 'Bearer sk-bench', 'idempotency-key': 'k' }
  const url = `${upstream.url}/chat/completions`
  const run = await profiled(`ceiling-${rep}`, () => fetchLoop({ url, bodies, concurrency, headers }))
  console.log(
    `fetch loop: ${fmtMs(run.ms)} = ${Math.round((lines / run.ms) * 1000)} lines/s, cpu ${fmtMs(run.cpuMs)}`,
  )
}

try {
  for (let rep = 0; rep < Number(process.env.BENCH_REPS ?? 1); rep++) {
    if (ceiling !== '') await runCeiling(rep)
    if (ceiling === '1') continue
    const kit = await openStore(kind)
    const run = await profiled(`${kind}-${rep}`, () => runBatch({ store: kit.store, provider, inputPath }))
    await kit.close()
    const rate = Math.round((lines / run.ms) * 1000)
    console.log(
      `${kind}: ${fmtMs(run.ms)} = ${rate} lines/s, cpu ${fmtMs(run.cpuMs)} (validate ${fmtMs(run.phases.validateMs)}, execute ${fmtMs(run.phases.executeMs)}, finalize ${fmtMs(run.phases.finalizeMs)})`,
    )
  }
} finally {
  await upstream.close()
  await rm(tmp, { recursive: true, force: true })
}
