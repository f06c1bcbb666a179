import { describe, expect, it } from 'vitest'
import { formatChaosReport, runChaos } from './chaos-run.ts'

/**
 * The chaos suite, CI size: 12 SIGKILLs of the server and workers, 2 immediate PostgreSQL restarts and a
 * 15 s outage while three batches of two tenants run and one is cancelled. Every line ends exactly once,
 * counts match the files, nothing fails that the upstream did not fail, and no process dies on its own.
 */
describe('chaos: kills, database restarts and an outage under load', () => {
  it('loses nothing, records nothing twice, and keeps every process up', async () => {
    const report = await runChaos({
      seed: Number(process.env.CHAOS_SEED ?? 20261205),
      lines: 700,
      kills: 12,
      restarts: 2,
      outageMs: 15_000,
      workers: 2,
      latencyMs: 300,
      concurrency: 2,
      leaseMs: 4_000,
      log: (line) => console.log(line),
    })
    console.log(formatChaosReport(report))
    expect(report.problems).toEqual([])
    expect(report.events.filter((e) => e.what.startsWith('SIGKILL'))).toHaveLength(12)
  }, 420_000)
})
