/**
 * vitest global setup (root `vitest.config.ts`): makes sure `DATABASE_URL` points at a PostgreSQL
 * server before any test file runs, in this order:
 *
 * 1. `DATABASE_URL` as given (CI creates a fresh database per run and exports it);
 * 2. the local server `postgres://postgres@127.0.0.1:5432/test`, if it answers;
 * 3. a throwaway cluster started from the system PostgreSQL binaries in a temporary directory on a
 *    free port (as an unprivileged user when running as root), stopped and removed afterwards.
 *
 * Never a silent skip: when none works, the run fails with what to do.
 */
import postgres from 'postgres'
import { startThrowawayCluster } from './cluster.ts'

const localUrl = 'postgres://postgres@127.0.0.1:5432/test'

export default async function setup(): Promise<() => Promise<void>> {
  const given = process.env.DATABASE_URL
  if (given) {
    const problem = await probe(given)
    if (problem) throw new Error(`DATABASE_URL does not answer: ${problem}`)
    return async () => undefined
  }
  if ((await probe(localUrl)) === null) {
    process.env.DATABASE_URL = localUrl
    return async () => undefined
  }
  const cluster = await startThrowawayCluster()
  process.env.DATABASE_URL = cluster.url
  console.log(`[batchkit tests] started a throwaway PostgreSQL at ${cluster.url}`)
  return () => cluster.stop()
}

/** Null when `url` answers a query, else why not. */
async function probe(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined })
  try {
    await sql`select 1`
    return null
  } catch (error) {
    return String(error)
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined)
  }
}
