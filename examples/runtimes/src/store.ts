import type { Store } from '@batchkit/core'
import { memoryStore } from '@batchkit/store-memory'
import { postgresStore } from '@batchkit/store-postgres'

/**
 * The store of the Bun and Deno servers: PostgreSQL (migrated) when `DATABASE_URL` is set, else memory.
 *
 * @example
 * const store = await openStore(process.env)
 */
export async function openStore(env: Record<string, string | undefined>): Promise<Store> {
  if (!env.DATABASE_URL) return memoryStore()
  const store = postgresStore({
    url: env.DATABASE_URL,
    schema: env.BATCHKIT_DB_SCHEMA,
    connection: { max: 4 },
  })
  await store.migrate()
  return store
}
