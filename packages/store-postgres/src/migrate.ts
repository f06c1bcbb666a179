import type { Sql } from 'postgres'
import { batchkitClient } from './client.ts'
import { migrations as embedded } from './migrations.generated.ts'
import { quoteSchema } from './names.ts'
import { defaultSchemaName } from './schema.ts'
import { SchemaMismatchError } from './schema-error.ts'
import { schemaDifferences } from './verify.ts'

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
  /**
   * Tags recorded as applied without running them, because the tables they create were already there
   * exactly as this version needs them (created by the host's own migrations): the baseline.
   */
  adopted: string[]
}

/**
 * The migrations that drizzle-kit does not generate from `src/schema.ts` (hand-written, e.g. the lz4
 * compression of file content). A host that owns the DDL applies them through {@link customMigrationSql};
 * a test checks that exactly these migrations leave drizzle-kit's snapshot unchanged.
 */
export const customMigrationTags: ReadonlySet<string> = new Set(['0001_content_compression'])

/**
 * The SQL that batchkit needs beyond the tables drizzle-kit generates from `batchkitTables(schema)`:
 * today the compression of file content (lz4 where the server has it, else uncompressed storage).
 * Hosts that own the DDL put it into a custom drizzle-kit migration (`drizzle-kit generate --custom`);
 * statements are separated by drizzle-kit's `--> statement-breakpoint`. Safe to run more than once.
 *
 * @example
 * import { customMigrationSql } from '@batchkit/store-postgres'
 * writeFileSync('drizzle/0005_batchkit_custom.sql', customMigrationSql('jobs'))
 */
export function customMigrationSql(schema: string = defaultSchemaName): string {
  const quoted = quoteSchema(schema)
  return embedded
    .filter((migration) => customMigrationTags.has(migration.tag))
    .flatMap((migration) => migration.statements.map((statement) => forSchema(statement, quoted)))
    .join('\n--> statement-breakpoint\n')
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
 * When batchkit's tables already exist but `<schema>.migrations` is empty — the host created them with
 * its own drizzle-kit migrations — they are adopted as a baseline if they match this version exactly
 * (see `schemaDifferences`): their migrations are recorded as applied, and only the custom ones
 * (`customMigrationSql`, idempotent) run. If they differ, a {@link SchemaMismatchError} lists how, and
 * nothing is changed.
 *
 * Accepts a postgres.js `Sql` or a drizzle database built on one; a client with `transform` options is
 * not used as is (see `postgresStore`). node-postgres clients are refused.
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
  const schemaName = options.schema ?? defaultSchemaName
  const schema = quoteSchema(schemaName)
  const given = typeof target === 'object' && target !== null && '$client' in target ? target.$client : target
  const client = batchkitClient(given, 'migrate()')
  try {
    return await migrateWith(client.sql, schemaName, schema, options.migrations ?? embedded)
  } finally {
    if (client.opened) await client.sql.end({ timeout: 5 })
  }
}

async function migrateWith(
  sql: Sql,
  schemaName: string,
  schema: string,
  list: readonly EmbeddedMigration[],
): Promise<MigrateResult> {
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
  const adopted = done.size === 0 ? await adoptExisting(sql, schemaName, schema, list) : []
  for (const tag of adopted) done.add(tag)
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
  return { applied, adopted }
}

/** batchkit's table names, for telling whether a schema already has them. */
const tableNames = ['files', 'blobs', 'blob_chunks', 'batches', 'requests', 'webhook_deliveries']

/**
 * With no migration recorded yet: when batchkit's tables exist anyway (host-owned DDL), records the
 * non-custom migrations as applied if the tables match this version, else throws what differs.
 */
async function adoptExisting(
  sql: Sql,
  schemaName: string,
  schema: string,
  list: readonly EmbeddedMigration[],
): Promise<string[]> {
  const [row] = await sql.unsafe(
    `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`,
    [schemaName, tableNames],
  )
  if ((row?.n as number) === 0) return []
  const differences = await schemaDifferences(sql, { schema: schemaName, skipCompression: true })
  if (differences.length > 0) {
    throw new SchemaMismatchError(
      schemaName,
      differences,
      `These tables were not created by migrate() (${schema}.migrations is empty), so migrate() will not change them. ` +
        "If your app owns batchkit's DDL, regenerate your drizzle-kit migrations from batchkitTables(), add customMigrationSql(), " +
        'and call store.verifySchema() at start instead of migrate(). If batchkit should own them, drop or rename the schema and run migrate() again.',
    )
  }
  const tags = list.filter((migration) => !customMigrationTags.has(migration.tag)).map((m) => m.tag)
  await sql.unsafe(`INSERT INTO ${schema}.migrations (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [
    tags,
  ])
  return tags
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
