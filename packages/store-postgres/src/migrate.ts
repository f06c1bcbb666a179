import type { Sql } from 'postgres'
import { migrations as embedded } from './migrations.generated.ts'
import { quoteSchema } from './names.ts'
import { defaultSchemaName } from './schema.ts'

/** A drizzle-kit migration embedded as statements (see `src/migrations.generated.ts`). */
export interface EmbeddedMigration {
  /** drizzle-kit's tag, e.g. `0000_init`: the id recorded in the migrations table. */
  tag: string
  /** Statements for the default schema `batchkit`, in order. */
  statements: readonly string[]
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Postgres schema to create the tables in (default `batchkit`). */
  schema?: string
  /** Migrations to apply (default: the ones this version ships). */
  migrations?: readonly EmbeddedMigration[]
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Tags this call applied (empty when the schema was up to date or another process applied them). */
  applied: string[]
}

/** Errors of two processes creating the same object at once (`IF NOT EXISTS` is not atomic). */
const raceCodes = new Set(['23505', '42P06', '42P07', '42710'])

/**
 * Creates or upgrades batchkit's tables in `schema`, from migrations embedded in the package (no
 * filesystem access, so it also runs on Cloudflare Workers). Safe when several processes start at
 * once, without advisory locks: each migration runs in a transaction that first inserts its row into
 * `<schema>.migrations`; a second process blocks on that primary key until the first commits, then
 * sees the row and skips the migration (or applies it, if the first rolled back).
 *
 * Accepts a postgres.js `Sql` or a drizzle database built on one.
 *
 * @example
 * import postgres from 'postgres'
 * import { migrate, postgresStore } from '@batchkit/store-postgres'
 * const sql = postgres(process.env.DATABASE_URL!)
 * await migrate(sql)
 * const store = postgresStore({ sql })
 */
export async function migrate(
  target: Sql | { $client: Sql },
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const sql = '$client' in target ? target.$client : target
  const schemaName = options.schema ?? defaultSchemaName
  const schema = quoteSchema(schemaName)
  const list = options.migrations ?? embedded
  await tolerateRace(() => sql.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`))
  await tolerateRace(() =>
    sql.unsafe(
      `CREATE TABLE IF NOT EXISTS ${schema}.migrations (
        id text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    ),
  )
  const done = new Set(
    (await sql.unsafe(`SELECT id FROM ${schema}.migrations`)).map((row) => row.id as string),
  )
  const applied: string[] = []
  for (const migration of list) {
    if (done.has(migration.tag)) continue
    const ran = await sql.begin(async (tx) => {
      // Blocks while another process applies the same migration; empty once it committed.
      const claimed = await tx.unsafe(
        `INSERT INTO ${schema}.migrations (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id`,
        [migration.tag],
      )
      if (claimed.length === 0) return false
      for (const statement of migration.statements) await tx.unsafe(forSchema(statement, schema))
      return true
    })
    if (ran) applied.push(migration.tag)
  }
  return { applied }
}

/** Rewrites a statement written for schema `batchkit` to `schema` (already quoted). */
function forSchema(statement: string, schema: string): string {
  return statement
    .replace(/^CREATE SCHEMA "batchkit";?$/, `CREATE SCHEMA IF NOT EXISTS ${schema}`)
    .replaceAll(`"${defaultSchemaName}".`, `${schema}.`)
}

/** Runs an idempotent DDL statement, again if a concurrent process created the object first. */
async function tolerateRace(statement: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await statement()
      return
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (attempt >= 5 || typeof code !== 'string' || !raceCodes.has(code)) throw error
    }
  }
}
