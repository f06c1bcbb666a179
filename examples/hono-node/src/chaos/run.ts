/**
 * `pnpm --filter @batchkit/example-hono-node chaos`: a chaos run of any size, for soak tests by hand.
 * Knobs (environment): CHAOS_SEED, CHAOS_LINES (2000), CHAOS_KILLS (30), CHAOS_RESTARTS (4),
 * CHAOS_OUTAGE_MS (20000), CHAOS_WORKERS (3), CHAOS_LATENCY_MS (100), CHAOS_CONCURRENCY (8),
 * CHAOS_LEASE_MS (5000). Exits 1 when an invariant broke.
 */
import { formatChaosReport, runChaos } from './chaos-run.ts'

const knob = (name: string, fallback: number): number => {
  const raw = process.env[name]
  const value = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got '${raw}'`)
  return value
}

const report = await runChaos({
  seed: knob('CHAOS_SEED', Date.now() % 1_000_000),
  lines: knob('CHAOS_LINES', 2_000),
  kills: knob('CHAOS_KILLS', 30),
  restarts: knob('CHAOS_RESTARTS', 4),
  outageMs: knob('CHAOS_OUTAGE_MS', 20_000),
  workers: knob('CHAOS_WORKERS', 3),
  latencyMs: knob('CHAOS_LATENCY_MS', 100),
  concurrency: knob('CHAOS_CONCURRENCY', 8),
  leaseMs: knob('CHAOS_LEASE_MS', 5_000),
  log: (line) => console.log(line),
})
console.log(formatChaosReport(report))
process.exit(report.problems.length === 0 ? 0 : 1)
