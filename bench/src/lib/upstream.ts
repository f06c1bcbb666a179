/** Fake OpenAI-compatible upstreams, each in its own process (the testing package's CLI). */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FakeUpstreamStats, RecordedCall } from '@batchkit/testing/fake-upstream'
import { type NodeChild, startNode } from './proc.ts'

const cliPath = join(dirname(fileURLToPath(import.meta.resolve('@batchkit/testing/fake-upstream'))), 'cli.ts')

/** Options of {@link startUpstream}: the CLI's flags. */
export interface UpstreamOptions {
  latencyMs?: number
  rpm?: number
  tpm?: number
  /** Also enforce `rpm`/`tpm` over windows this long (ms), headers still per minute (`--quantized`). */
  quantizedMs?: number
  /** Keep every call (for timestamps); off by default (counters only). */
  record?: boolean
}

/** A fake upstream running in a child process. */
export interface UpstreamProcess {
  /** API base, `http://127.0.0.1:PORT/v1`. */
  readonly url: string
  readonly pid: number
  stats(): Promise<FakeUpstreamStats>
  calls(): Promise<RecordedCall[]>
  /** Forgets calls and counters and refills the rate-limit buckets. */
  reset(): Promise<void>
  close(): Promise<void>
}

/**
 * Starts the fake upstream CLI in its own process.
 *
 * @example
 * const upstream = await startUpstream({ latencyMs: 200 })
 */
export async function startUpstream(options: UpstreamOptions = {}): Promise<UpstreamProcess> {
  const args = ['--port', '0']
  if (options.latencyMs) args.push('--latency', String(options.latencyMs))
  if (options.rpm) args.push('--rpm', String(options.rpm))
  if (options.tpm) args.push('--tpm', String(options.tpm))
  if (options.quantizedMs) args.push('--quantized', String(options.quantizedMs))
  if (!options.record) args.push('--no-record')
  const proc: NodeChild = await startNode(cliPath, { args })
  const url = proc.firstLine.trim()
  const origin = new URL(url).origin
  const control = async <T>(path: string, method = 'GET'): Promise<T> => {
    const response = await fetch(`${origin}/__fake/${path}`, { method })
    return (await response.json()) as T
  }
  return {
    url,
    pid: proc.pid,
    stats: () => control<FakeUpstreamStats>('stats'),
    calls: () => control<RecordedCall[]>('calls'),
    reset: async () => {
      await control('reset', 'POST')
    },
    close: () => proc.stop(),
  }
}
