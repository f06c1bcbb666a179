import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core'
import type { Sql } from 'postgres'
import { batchkitClient } from './client.ts'
import { quoteSchema } from './names.ts'
import { type BatchkitTables, batchkitTables } from './schema.ts'
import { SchemaMismatchError } from './schema-error.ts'

/** One column as the code expects it. */
interface ExpectedColumn {
  type: string
  notNull: boolean
  /** A default or an identity: inserts may leave the column out. */
  hasDefault: boolean
}

/** One table as the code expects it. */
interface ExpectedTable {
  columns: Map<string, ExpectedColumn>
  primaryKey: string[]
  /** Index name → unique. */
  indexes: Map<string, boolean>
  foreignKeys: string[]
}

/** batchkit's tables as `src/schema.ts` defines them, read from the drizzle definitions. */
function expectedTables(tables: BatchkitTables): Map<string, ExpectedTable> {
  const { schema: _, ...byName } = tables
  const all: PgTable[] = Object.values(byName)
  const expected = new Map<string, ExpectedTable>()
  for (const table of all) {
    const config = getTableConfig(table)
    const columns = new Map<string, ExpectedColumn>()
    let primaryKey: string[] = []
    for (const column of config.columns) {
      columns.set(column.name, {
        type: column.getSQLType(),
        notNull: column.notNull,
        hasDefault: column.hasDefault || column.generatedIdentity !== undefined,
      })
      if (column.primary) primaryKey = [column.name]
    }
    for (const pk of config.primaryKeys) primaryKey = pk.columns.map((c) => c.name)
    expected.set(config.name, {
      columns,
      primaryKey,
      indexes: new Map(config.indexes.map((index) => [index.config.name!, index.config.unique])),
      foreignKeys: config.foreignKeys.map((fk) => fk.getName()),
    })
  }
  return expected
}

interface ColumnRow {
  table: string
  column: string
  type: string
  not_null: boolean
  has_default: boolean
  storage: string
  compression: string | null
}

/** What the database has in `schema`: columns, primary keys, indexes, foreign keys. */
async function actualTables(sql: Sql, schema: string) {
  const [{ version }] = (await sql.unsafe(
    `SELECT current_setting('server_version_num')::int AS version`,
  )) as [{ version: number }]
  // attcompression exists from PostgreSQL 14 on; before that only the storage mode tells.
  const compression = version >= 140000 ? "nullif(a.attcompression, '')::text" : 'NULL::text'
  const columns = (await sql.unsafe(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, (a.atthasdef OR a.attidentity <> '') AS has_default,
            a.attstorage::text AS storage, ${compression} AS compression
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  )) as unknown as ColumnRow[]
  const indexes = (await sql.unsafe(
    `SELECT t.relname AS table, i.relname AS index, x.indisunique AS unique, x.indisprimary AS primary,
            array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1`,
    [schema],
  )) as unknown as { table: string; index: string; unique: boolean; primary: boolean; columns: string[] }[]
  const foreignKeys = (await sql.unsafe(
    `SELECT t.relname AS table, c.conname AS name
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND c.contype = 'f'`,
    [schema],
  )) as unknown as { table: string; name: string }[]
  return { columns, indexes, foreignKeys }
}

/** Options of {@link schemaDifferences} and `verifySchema`. */
export interface VerifySchemaOptions {
  /** Postgres schema of batchkit's tables (default `batchkit`). */
  schema?: string
  /** Leave out the check of the content column's compression (lz4, or uncompressed storage). */
  skipCompression?: boolean
}

/**
 * Every way batchkit's tables in `schema` differ from what this version of the store needs: missing
 * tables, columns, primary keys, indexes and foreign keys; column types, `NOT NULL` and defaults; extra
 * `NOT NULL` columns without a default (they would make batchkit's inserts fail); and the compression of
 * file content (lz4, or uncompressed storage where the server has no lz4 — never the slow default pglz).
 * Extra tables, nullable columns and indexes of the host's are fine. Empty when everything matches.
 *
 * @example
 * const differences = await schemaDifferences(sql, { schema: 'jobs' })
 */
export async function schemaDifferences(sql: Sql, options: VerifySchemaOptions = {}): Promise<string[]> {
  const schema = options.schema ?? 'batchkit'
  const q = quoteSchema(schema)
  const expected = expectedTables(batchkitTables(schema))
  const actual = await actualTables(sql, schema)
  const differences: string[] = []
  for (const [table, want] of expected) {
    const name = `${q}."${table}"`
    const columns = actual.columns.filter((c) => c.table === table)
    if (columns.length === 0) {
      differences.push(`table ${name}: missing`)
      continue
    }
    for (const [column, spec] of want.columns) {
      const found = columns.find((c) => c.column === column)
      const label = `column ${name}."${column}"`
      if (!found) {
        differences.push(`${label}: missing (expected ${spec.type}${spec.notNull ? ' NOT NULL' : ''})`)
        continue
      }
      if (found.type !== spec.type) differences.push(`${label}: type ${found.type}, expected ${spec.type}`)
      if (found.not_null !== spec.notNull)
        differences.push(
          `${label}: ${found.not_null ? 'NOT NULL' : 'nullable'}, expected ${spec.notNull ? 'NOT NULL' : 'nullable'}`,
        )
      if (spec.hasDefault && !found.has_default) differences.push(`${label}: no default, expected one`)
    }
    for (const extra of columns) {
      if (!want.columns.has(extra.column) && extra.not_null && !extra.has_default)
        differences.push(
          `column ${name}."${extra.column}": not batchkit's, NOT NULL without a default (batchkit's inserts would fail)`,
        )
    }
    const indexes = actual.indexes.filter((i) => i.table === table)
    const primary = indexes.find((i) => i.primary)
    if (!primary) differences.push(`primary key of ${name}: missing (expected ${want.primaryKey.join(', ')})`)
    else if (primary.columns.join(',') !== want.primaryKey.join(','))
      differences.push(
        `primary key of ${name}: (${primary.columns.join(', ')}), expected (${want.primaryKey.join(', ')})`,
      )
    for (const [index, unique] of want.indexes) {
      const found = indexes.find((i) => i.index === index)
      if (!found) differences.push(`index ${q}."${index}" on ${name}: missing`)
      else if (found.unique !== unique)
        differences.push(
          `index ${q}."${index}": ${found.unique ? 'unique' : 'not unique'}, expected ${unique ? 'unique' : 'not unique'}`,
        )
    }
    for (const fk of want.foreignKeys) {
      if (!actual.foreignKeys.some((f) => f.table === table && f.name === fk))
        differences.push(`foreign key "${fk}" on ${name}: missing`)
    }
  }
  if (!options.skipCompression) {
    const data = actual.columns.find((c) => c.table === 'blob_chunks' && c.column === 'data')
    if (data && data.compression !== 'l' && data.storage !== 'e')
      differences.push(
        `column ${q}."blob_chunks"."data": ${data.compression === 'p' ? 'pglz' : 'default (pglz)'} compression, expected lz4 or uncompressed storage (apply customMigrationSql('${schema}'))`,
      )
  }
  return differences
}

/**
 * Checks batchkit's tables in `schema` against what this version needs (see {@link schemaDifferences})
 * and throws a {@link SchemaMismatchError} listing every difference. Call it at start when your app owns
 * the DDL (instead of `migrate()`), so a missed migration fails loudly instead of stalling batches.
 *
 * @example
 * import { verifySchema } from '@batchkit/store-postgres'
 * await verifySchema(sql, { schema: 'jobs' })
 */
export async function verifySchema(sql: Sql, options: VerifySchemaOptions = {}): Promise<void> {
  const schema = options.schema ?? 'batchkit'
  const client = batchkitClient(sql, 'verifySchema()')
  try {
    const differences = await schemaDifferences(client.sql, options)
    if (differences.length > 0) {
      throw new SchemaMismatchError(
        schema,
        differences,
        'Apply what is missing: with migrations owned by your app, regenerate them from batchkitTables() with drizzle-kit and add ' +
          `customMigrationSql('${schema}') as a custom migration; with batchkit owning them, run migrate().`,
      )
    }
  } finally {
    if (client.opened) await client.sql.end({ timeout: 5 })
  }
}
