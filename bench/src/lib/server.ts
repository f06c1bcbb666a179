/** The bench server (procs/server.ts) in a child process. */
import { join } from 'node:path'
import { apiClient } from './api-client.ts'
import { type NodeChild, startNode } from './proc.ts'
import { procStatusBytes } from './rss.ts'

const serverPath = join(import.meta.dirname, '..', 'procs', 'server.ts')

/** A provider of the server: an OpenAI-compatible upstream. */
export interface ServerProvider {
  name: string
  baseURL: string
  concurrency: number
}

/** A running bench server. */
export interface BenchServer {
  readonly origin: string
  readonly pid: number
  readonly api: ReturnType<typeof apiClient>
  rss(): Promise<number>
  stop(): Promise<void>
}

/**
 * Starts the bench server on a store (`storeEnv` from a {@link StoreKit}, or the memory store's
 * `{ BENCH_STORE: 'memory', BENCH_ON_DISK: '1' }`).
 *
 * @example
 * const server = await startServer({ BENCH_STORE: 'memory', BENCH_ON_DISK: '1' }, [provider])
 */
export async function startServer(
  storeEnv: Record<string, string>,
  providers: ServerProvider[],
): Promise<BenchServer> {
  const flags = process.env.BENCH_SERVER_FLAGS
  const proc: NodeChild = await startNode(serverPath, {
    env: { ...storeEnv, BENCH_PROVIDERS: JSON.stringify(providers) },
    // e.g. BENCH_SERVER_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server.
    ...(flags ? { nodeFlags: flags.split(' ') } : {}),
  })
  const origin = proc.firstLine.trim()
  return {
    origin,
    pid: proc.pid,
    api: apiClient(origin),
    rss: () => procStatusBytes(proc.pid, 'VmRSS'),
    stop: () => proc.stop(),
  }
}
