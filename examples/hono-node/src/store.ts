import { type Clock, isBatchkitError, type Logger, type Store } from '@batchkit/core'
import { memoryStore } from '@batchkit/store-memory'
import { type PostgresStore, postgresStore } from '@batchkit/store-postgres'
import type { ServerConfig } from './config.ts'

/** The store a process runs on, and how to describe it. */
export interface OpenedStore {
  store: Store
  /** e.g. `postgres 127.0.0.1:5432/app (schema batchkit, pool 10)` or `memory`. */
  kind: string
}

/**
 * The store of the reference server and of `pnpm worker`: PostgreSQL when `DATABASE_URL` is set
 * (migrated on start, safe when several processes start at once; uploads abandoned by crashed
 * processes over a day ago are dropped), else in memory.
 *
 * @example
 * const { store, kind } = await openStore(readConfig())
 */
export async function openStore(
  config: ServerConfig,
  options: { clock?: Clock; logger?: Logger } = {},
): Promise<OpenedStore> {
  if (!config.databaseUrl) {
    return { store: memoryStore({ clock: options.clock }), kind: 'memory' }
  }
  const store = postgresStore({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    connection: { max: config.databasePoolSize, onnotice: () => undefined },
  })
  try {
    await untilReachable(store, options.logger)
    const { applied } = await store.migrate()
    if (applied.length > 0) options.logger?.info?.('migrated', { schema: config.databaseSchema, applied })
    // Uploads a crashed process left half-written are invisible; reclaim their space once a day old.
    const dropped = await store.dropAbandonedUploads()
    if (dropped > 0) options.logger?.info?.('dropped abandoned uploads', { count: dropped })
  } catch (error) {
    await store.close()
    throw error
  }
  return {
    store,
    kind: `postgres ${describeUrl(config.databaseUrl)} (schema ${config.databaseSchema}, pool ${config.databasePoolSize})`,
  }
}

/** Host, port and database of a connection URL, never its credentials. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`
  } catch {
    return '(unparsable DATABASE_URL)'
  }
}

/** Longest pause between attempts to reach the database at start. */
const maxStartRetryMs = 5_000

/**
 * Waits until the database answers, retrying with backoff (250 ms doubling to 5 s) for as long as it
 * takes: a process started while the database is down (or before it) waits for it instead of exiting,
 * and logs one line when it starts waiting and one when the database answers.
 */
async function untilReachable(store: PostgresStore, logger: Logger | undefined): Promise<void> {
  const since = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      await store.ping()
      if (attempt > 1) logger?.info?.('database reachable; starting', { waitedMs: Date.now() - since })
      return
    } catch (error) {
      if (!isBatchkitError(error) || error.code !== 'service_unavailable') throw error
      if (attempt === 1) logger?.warn?.('database unreachable; waiting for it', { error })
      await new Promise((resolve) => setTimeout(resolve, Math.min(maxStartRetryMs, 250 * 2 ** (attempt - 1))))
    }
  }
}
