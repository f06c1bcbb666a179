import type { Store } from '@batchkit/core/store'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import postgres, { type Options, type Sql } from 'postgres'
import { guarded, StoreCircuit } from './availability.ts'
import { postgresBatches } from './batches.ts'
import { batchkitClient } from './client.ts'
import type { RawResult, StoreContext } from './context.ts'
import { postgresFiles } from './files.ts'
import { type MigrateResult, migrate } from './migrate.ts'
import { quoteSchema } from './names.ts'
import { postgresRequests } from './requests.ts'
import { type BatchkitTables, batchkitTables, defaultSchemaName } from './schema.ts'
import { statements } from './statements.ts'
import { postgresUsage } from './usage.ts'
import { schemaDifferences, verifySchema } from './verify.ts'
import { postgresWebhooks } from './webhooks.ts'

/** Options of {@link postgresStore}: a postgres.js client, or a URL to open one. */
export type PostgresStoreOptions = (
  | {
      /**
       * A postgres.js client the host owns; `close()` leaves it open. A client created with `transform`
       * (e.g. `postgres.camel`) or custom `types` is not used for batchkit's statements: the store opens
       * a companion client with the same settings without them (its own pool of `max` connections,
       * ended by `close()`). node-postgres (`pg`) is not supported.
       */
      sql: Sql
      url?: never
    }
  | {
      /** Connection URL; the store opens (and `close()` ends) its own client. */
      url: string
      /** postgres.js options for that client (default pool size 10); `transform` and `types` are refused. */
      connection?: Options<Record<string, never>>
      sql?: never
    }
) & {
  /** Postgres schema of batchkit's tables (default `batchkit`). */
  schema?: string
  /** Bytes per stored content chunk (default 256 KiB). */
  chunkBytes?: number
  /**
   * Move file content with binary `COPY`: raw bytes both ways, one statement per segment of an upload.
   * Default: true, except on Cloudflare Workers, where postgres.js's COPY streams need Node socket
   * methods workerd lacks (a long download through COPY fails there). Set false behind a proxy or pooler
   * that cannot forward COPY (Hyperdrive included); content then travels as hex-encoded `bytea`
   * parameters and results (about 3× slower for large files).
   */
  copy?: boolean
}

/** A batchkit {@link Store} on PostgreSQL, with its client and tables. */
export interface PostgresStore extends Store {
  /** The postgres.js client batchkit's statements run on (the host's, or the companion opened for it). */
  readonly sql: Sql
  /** A drizzle database on that client (e.g. for your own queries of batchkit's tables). */
  readonly db: PostgresJsDatabase
  /** The Postgres schema name. */
  readonly schema: string
  /** batchkit's drizzle tables in that schema. */
  readonly tables: BatchkitTables
  /** Creates or upgrades the tables (see {@link migrate}). */
  migrate(): Promise<MigrateResult>
  /**
   * Throws a `SchemaMismatchError` listing every way the tables differ from what this version needs
   * (tables, columns, keys, indexes, content compression): call it at start when your app owns the DDL.
   */
  verifySchema(): Promise<void>
  /** Every way the tables differ from what this version needs; empty when they match. */
  schemaDifferences(): Promise<string[]>
  /** Removes uploads that never finished (their process died mid-upload) older than `olderThanMs`. */
  dropAbandonedUploads(olderThanMs?: number): Promise<number>
  /** Resolves when the database answers (`SELECT 1`); throws `service_unavailable` otherwise. */
  ping(): Promise<void>
  /** Ends the client if the store opened it; a client passed in stays open. */
  close(): Promise<void>
}

/**
 * A batchkit {@link Store} on PostgreSQL through drizzle-orm and postgres.js: durable state that any
 * number of worker processes (or Workers isolates) share safely. Work is claimed with
 * `FOR UPDATE SKIP LOCKED` under leases timed by the database clock and fenced by a token on every
 * write; no advisory locks, no LISTEN/NOTIFY, so it also runs behind Cloudflare Hyperdrive.
 *
 * Run {@link migrate} (or `store.migrate()`) once before use, or own the DDL with the exported tables.
 *
 * @example
 * import postgres from 'postgres'
 * import { postgresStore } from '@batchkit/store-postgres'
 *
 * const store = postgresStore({ sql: postgres(process.env.DATABASE_URL!, { max: 10 }) })
 * await store.migrate()
 * const engine = createBatchEngine({ store, providers })
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const schema = options.schema ?? defaultSchemaName
  quoteSchema(schema)
  const client =
    options.sql === undefined
      ? openClient(options.url, options.connection)
      : batchkitClient(options.sql, 'postgresStore({ sql })')
  const { sql } = client
  const db = drizzle({ client: sql })
  const tables = batchkitTables(schema)
  const chunkBytes = options.chunkBytes ?? 256 * 1024
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1)
    throw new TypeError('chunkBytes must be a positive integer.')
  const ctx: StoreContext = {
    sql,
    db,
    tables,
    statements: statements(schema),
    chunkBytes,
    copy: options.copy ?? !onCloudflareWorkers(),
    run: (text, params) =>
      sql.unsafe(text, params as never[], {
        prepare: sql.options.prepare !== false,
      }) as unknown as Promise<RawResult>,
  }
  let closed = false
  const circuit = new StoreCircuit()
  const health = guarded(
    {
      async ping(): Promise<void> {
        await ctx.run('SELECT 1', [])
      },
    },
    circuit,
  )
  return {
    files: guarded(postgresFiles(ctx), circuit),
    batches: guarded(postgresBatches(ctx), circuit),
    requests: guarded(postgresRequests(ctx), circuit),
    webhooks: guarded(postgresWebhooks(ctx), circuit),
    usage: guarded(postgresUsage(ctx), circuit),
    ping: health.ping,
    sql,
    db,
    schema,
    tables,
    migrate: () => migrate(sql, { schema }),
    verifySchema: () => verifySchema(sql, { schema }),
    schemaDifferences: () => schemaDifferences(sql, { schema }),
    async dropAbandonedUploads(olderThanMs = 24 * 3600 * 1000) {
      const result = await ctx.run(ctx.statements.dropAbandonedBlobs, [olderThanMs])
      return result.count
    },
    async close() {
      if (closed || !client.opened) return
      closed = true
      await sql.end({ timeout: 5 })
    },
  }
}

/** The client of `postgresStore({ url, connection })`, opened (and later ended) by the store. */
function openClient(
  url: string,
  connection: Options<Record<string, never>> = {},
): { sql: Sql; opened: true } {
  if (
    connection.transform !== undefined ||
    connection.types !== undefined ||
    connection.fetch_types === false
  ) {
    throw new TypeError(
      'postgresStore({ url, connection }): `transform`, `types` and `fetch_types: false` are not supported: batchkit reads its own rows by their plain column names and values, and passes arrays. Leave them out (your own client may keep them).',
    )
  }
  // Waits at most 5 s for a connection (postgres.js: 30 s), so an unreachable database fails requests
  // fast; the store's circuit then answers the next ones at once.
  return {
    sql: postgres(url, { max: 10, connect_timeout: 5, onnotice: () => undefined, ...connection }),
    opened: true,
  }
}

/** True on Cloudflare Workers (workerd), where `navigator.userAgent` says so. */
function onCloudflareWorkers(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers'
}
