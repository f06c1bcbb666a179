/**
 * `pnpm bench`: runs every scenario in a fresh process, prints the table and writes
 * bench/results/latest.json and bench/results/latest.md. Every figure is a ratio against a baseline
 * measured in the same run. `pnpm bench -- --only ingest,server-api` runs some scenarios only, and then
 * only prints (the committed results always come from a full run).
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { benchDir, runNodeJson } from './lib/proc.ts'
import { markdownTable, type Row, textTable } from './lib/report.ts'

/** Scenario modules (src/scenarios/<name>.ts), in table order. */
const scenarios = [
  'runner-overhead',
  'latency-bound',
  'rate-limited',
  'ingest',
  'server-api',
  'scale-out',
] as const

// `pnpm bench -- --only x` passes the `--` through: drop it, or every flag after it is positional.
const args = process.argv.slice(2).filter((arg) => arg !== '--')
const { values } = parseArgs({ args, options: { only: { type: 'string' } }, allowPositionals: true })
const only = values.only?.split(',').map((s) => s.trim())
const selected = scenarios.filter((name) => !only || only.includes(name))

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: benchDir, encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  freeMemoryGiB: Math.round(freemem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
}
const commit = git(['rev-parse', '--short', 'HEAD'])
const dirty = git(['status', '--porcelain']) !== ''
const startedAt = new Date()
const tmp = await mkdtemp(join(tmpdir(), 'batchkit-bench-'))
console.log(
  `batchkit bench — ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
)
const rows: Row[] = []
const timings: Record<string, number> = {}
try {
  for (const name of selected) {
    const started = performance.now()
    console.log(`▶ ${name}`)
    try {
      rows.push(
        ...(await runNodeJson<Row[]>(join(benchDir, 'src', 'procs', 'scenario.ts'), { args: [name, tmp] })),
      )
    } catch (error) {
      rows.push({
        scenario: name,
        metric: 'scenario failed',
        baseline: '—',
        batchkit: '—',
        ratio: null,
        target: '—',
        status: 'MISS',
        note: `${name} failed: ${String(error).slice(0, 300)}`,
      })
    }
    timings[name] = Math.round(performance.now() - started)
    console.log(`  done in ${(timings[name]! / 1000).toFixed(1)} s`)
  }
} finally {
  await rm(tmp, { recursive: true, force: true })
}
const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000)

console.log(`\n${textTable(rows)}\n`)
const notes = rows.filter((r) => r.note)
notes.forEach((r, i) => {
  console.log(`[${i + 1}] ${r.note}`)
})
const counts = { PASS: 0, MISS: 0, pending: 0, info: 0 }
for (const row of rows) counts[row.status]++
console.log(
  `\n${counts.PASS} PASS, ${counts.MISS} MISS, ${counts.pending} pending, ${counts.info} info — ${seconds} s`,
)

if (only) {
  console.log('(--only: results not written)')
  process.exit(0)
}
const results = join(benchDir, 'results')
await mkdir(results, { recursive: true })
const meta = {
  date: startedAt.toISOString(),
  commit: dirty ? `${commit} (with uncommitted changes)` : commit,
  seconds,
  machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) },
  scenarioSeconds: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v / 1000])),
}
await writeFile(join(results, 'latest.json'), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`)
const header = [
  `Run ${meta.date.slice(0, 16).replace('T', ' ')} UTC on commit ${meta.commit}, ${seconds} s.`,
  `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB RAM, Node ${machine.node}, ${machine.platform}; load average ${machine.loadAverageAtStart.join(' ')} at start, ${meta.machine.loadAverageAtEnd.join(' ')} at end.`,
  '',
]
await writeFile(join(results, 'latest.md'), `${header.join('\n')}\n${markdownTable(rows)}\n`)
console.log(`results: ${join('bench', 'results', 'latest.json')}, ${join('bench', 'results', 'latest.md')}`)
