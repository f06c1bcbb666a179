import { randomHex } from '@batchkit/core/store'
import postgres, { type Options, type Sql } from 'postgres'

export { startThrowawayCluster, type ThrowawayCluster } from './cluster.ts'

import { migrate } from '../migrate.ts'
import { type PostgresStore, postgresStore } from '../store.ts'

/**
 * The database tests run against: `DATABASE_URL`, which the repository's vitest global setup sets
 * (to the local server, or to a throwaway cluster it started) when it was not set already.
 *
 * @example
 * const url = testDatabaseUrl()
 */
export function testDatabaseUrl(): string {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
  const url = env?.DATABASE_URL
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: run the tests through the repository vitest config (its global setup finds or starts PostgreSQL), or set DATABASE_URL.',
    )
  }
  return url
}

/** Options of {@link TestSchema.store}. */
export interface TestStoreOptions {
  chunkBytes?: number
  /** Move file content with COPY (default true), or with INSERT/SELECT. */
  copy?: boolean
  /** Open a client of the store's own (ended with it) instead of sharing the schema's, with these options. */
  connection?: Options<Record<string, never>>
}

/** A migrated schema of its own for one test file (or test), dropped by `drop()`. */
export interface TestSchema {
  /** The schema name, e.g. `t_conformance_3f9a…`. */
  readonly schema: string
  /** The database URL. */
  readonly url: string
  /** A client for the test's own queries (ended by `drop()`). */
  readonly sql: Sql
  /** A store on this schema, sharing {@link sql} unless `options.url` asks for its own client. */
  store(options?: TestStoreOptions): PostgresStore
  /** Drops the schema and ends every client opened here. */
  drop(): Promise<void>
}

/**
 * Creates and migrates a fresh schema, so test files running in parallel never see each other's rows.
 *
 * @example
 * const db = await createTestSchema('conformance')
 * afterAll(() => db.drop())
 * const store = db.store()
 */
export async function createTestSchema(label = 'test'): Promise<TestSchema> {
  const url = testDatabaseUrl()
  const schema = `t_${label.replace(/[^a-z0-9_]/gi, '_').slice(0, 30)}_${randomHex(6)}`.toLowerCase()
  const sql = postgres(url, { max: 10, onnotice: () => undefined })
  await migrate(sql, { schema })
  const opened: PostgresStore[] = []
  return {
    schema,
    url,
    sql,
    store(options = {}) {
      const { connection, chunkBytes, copy } = options
      const tuning = {
        chunkBytes,
        copy,
      }
      const store =
        connection === undefined
          ? postgresStore({ sql, schema, ...tuning })
          : postgresStore({ url, connection, schema, ...tuning })
      opened.push(store)
      return store
    },
    async drop() {
      for (const store of opened.splice(0)) await store.close()
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await sql.end({ timeout: 5 })
    },
  }
}
