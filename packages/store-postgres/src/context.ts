import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { Sql } from 'postgres'
import type { BatchkitTables } from './schema.ts'
import type { Statements } from './statements.ts'

/** A raw result row. */
export type RawRow = Record<string, unknown>
/** The rows of a raw statement, and how many rows it affected. */
export type RawResult = RawRow[] & { readonly count: number }

/** What the parts of a Postgres store share. */
export interface StoreContext {
  readonly sql: Sql
  readonly db: PostgresJsDatabase
  readonly tables: BatchkitTables
  readonly statements: Statements
  /** Runs one of {@link statements} with `params` (prepared when the client prepares statements). */
  run(text: string, params: readonly unknown[]): Promise<RawResult>
  /** Bytes per stored content chunk. */
  readonly chunkBytes: number
  /** File content travels through binary COPY (else INSERT/SELECT with hex-encoded `bytea`). */
  readonly copy: boolean
}

/** Postgres error codes worth retrying a whole (atomic) statement for. */
const retryable = new Set(['40P01', '40001'])

/**
 * Runs `query` again (up to 3 more times) when Postgres aborted it for a deadlock or a serialization
 * failure. Only for single statements, which are atomic, so a retry never applies anything twice.
 *
 * @example
 * const rows = await retryOnConflict(() => sql.unsafe(text, params))
 */
export async function retryOnConflict<T>(query: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await query()
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (attempt >= 4 || typeof code !== 'string' || !retryable.has(code)) throw error
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * Math.random()))
    }
  }
}
