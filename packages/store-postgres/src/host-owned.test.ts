import { createBatchEngine, offsetClock, type Scope } from '@batchkit/core'
import {
  chatLines,
  driveUntilStatus,
  fileLines,
  okAnswer,
  scriptedProvider,
  submitChatBatch,
} from '@batchkit/testing'
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import postgres, { type Sql } from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { customMigrationSql, customMigrationTags, migrate } from './migrate.ts'
import { migrations } from './migrations.generated.ts'
import { batchkitTables } from './schema.ts'
import { SchemaMismatchError } from './schema-error.ts'
import { postgresStore } from './store.ts'
import { testDatabaseUrl } from './testing/index.ts'
import { schemaDifferences, verifySchema } from './verify.ts'

/**
 * Hosts that own batchkit's DDL in their drizzle-kit setup: verification, baseline adoption by
 * migrate(), clients with result transforms, and node-postgres refused.
 */
const sql = postgres(testDatabaseUrl(), { max: 4, onnotice: () => undefined })
const schemas: string[] = []
const fresh = (label: string): string => {
  const name = `t_host_${label}_${Math.random().toString(16).slice(2, 10)}`
  schemas.push(name)
  return name
}
afterAll(async () => {
  for (const name of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
  await sql.end()
})

/** What `drizzle-kit generate` writes for a host schema that includes `batchkitTables(schema)`. */
async function drizzleKitDdl(schema: string): Promise<string[]> {
  const { generateDrizzleJson, generateMigration } = await import('drizzle-kit/api')
  const empty = generateDrizzleJson({})
  return generateMigration(empty, generateDrizzleJson({ ...batchkitTables(schema) }, empty.id))
}

/** Creates batchkit's tables in `schema` the way a host's drizzle-kit migration does. */
async function hostCreates(schema: string): Promise<void> {
  for (const statement of await drizzleKitDdl(schema)) await sql.unsafe(statement)
}

const applyCustom = async (schema: string): Promise<void> => {
  for (const statement of customMigrationSql(schema).split('--> statement-breakpoint'))
    await sql.unsafe(statement)
}

const compressionDifference = (schema: string): string =>
  `column "${schema}"."blob_chunks"."data": default (pglz) compression, expected lz4 or uncompressed storage (apply customMigrationSql('${schema}'))`

/** Runs a 3-line batch to `completed` on `store`; returns the output lines. */
async function runBatch(store: ReturnType<typeof postgresStore>): Promise<Record<string, unknown>[]> {
  const engine = createBatchEngine({
    store,
    providers: [scriptedProvider('p', okAnswer)],
    clock: offsetClock(),
  })
  const scope: Scope = { ownerId: 'host-owned' }
  const { created } = await submitChatBatch(engine, scope, chatLines(3))
  const done = await driveUntilStatus(engine, scope, created.id, ['completed', 'failed'])
  expect(done.status).toBe('completed')
  expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 })
  return fileLines(engine, scope, done.output_file_id!)
}

describe('host-owned DDL', () => {
  it('drizzle-kit tables + customMigrationSql pass verifySchema; without the custom SQL it fails loudly', async () => {
    const schema = fresh('kit')
    await hostCreates(schema)
    expect(await schemaDifferences(sql, { schema })).toEqual([compressionDifference(schema)])
    const failure = await verifySchema(sql, { schema }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SchemaMismatchError)
    expect((failure as SchemaMismatchError).differences).toEqual([compressionDifference(schema)])
    expect((failure as Error).message).toContain(`customMigrationSql('${schema}')`)

    await applyCustom(schema)
    await expect(verifySchema(sql, { schema })).resolves.toBeUndefined()
    const store = postgresStore({ sql, schema })
    await store.verifySchema()
    expect(await runBatch(store)).toHaveLength(3)
  })

  it('lists every missing or different column, index, key and setting', async () => {
    const schema = fresh('drift')
    await migrate(sql, { schema })
    await expect(verifySchema(sql, { schema })).resolves.toBeUndefined()
    const q = `"${schema}"`
    await sql.unsafe(`ALTER TABLE ${q}.requests DROP COLUMN line`)
    await sql.unsafe(`ALTER TABLE ${q}.requests ALTER COLUMN attempts TYPE bigint`)
    await sql.unsafe(`ALTER TABLE ${q}.requests ALTER COLUMN state DROP DEFAULT`)
    await sql.unsafe(`ALTER TABLE ${q}.batches ALTER COLUMN model SET NOT NULL`)
    await sql.unsafe(`ALTER TABLE ${q}.batches ADD COLUMN tenant text NOT NULL`)
    await sql.unsafe(`DROP INDEX ${q}.batches_wake_idx`)
    await sql.unsafe(`ALTER TABLE ${q}.blob_chunks DROP CONSTRAINT blob_chunks_blob_id_blobs_id_fk`)
    await sql.unsafe(`ALTER TABLE ${q}.blob_chunks ALTER COLUMN data SET STORAGE EXTENDED`)
    await sql.unsafe(
      `DO $$ BEGIN EXECUTE 'ALTER TABLE ${q}.blob_chunks ALTER COLUMN data SET COMPRESSION pglz'; EXCEPTION WHEN OTHERS THEN NULL; END $$`,
    )
    await sql.unsafe(`DROP TABLE ${q}.files`)
    const differences = await schemaDifferences(sql, { schema })
    expect(differences).toEqual([
      `table ${q}."files": missing`,
      `foreign key "blob_chunks_blob_id_blobs_id_fk" on ${q}."blob_chunks": missing`,
      `column ${q}."batches"."model": NOT NULL, expected nullable`,
      `column ${q}."batches"."tenant": not batchkit's, NOT NULL without a default (batchkit's inserts would fail)`,
      `index ${q}."batches_wake_idx" on ${q}."batches": missing`,
      `column ${q}."requests"."state": no default, expected one`,
      `column ${q}."requests"."attempts": type bigint, expected integer`,
      `column ${q}."requests"."line": missing (expected text)`,
      expect.stringMatching(
        new RegExp(`^column ${q}\\."blob_chunks"\\."data": (pglz|default \\(pglz\\)) compression`),
      ),
    ])
    const store = postgresStore({ sql, schema })
    const failure = await store.verifySchema().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SchemaMismatchError)
    expect((failure as SchemaMismatchError).code).toBe('schema_mismatch')
    for (const difference of differences) expect((failure as Error).message).toContain(difference)
  })

  it('migrate() adopts matching host-created tables as its baseline and applies only the custom SQL', async () => {
    const schema = fresh('adopt')
    await hostCreates(schema)
    const tags = migrations.map((m) => m.tag)
    expect(await migrate(sql, { schema })).toEqual({
      applied: tags.filter((tag) => customMigrationTags.has(tag)),
      adopted: tags.filter((tag) => !customMigrationTags.has(tag)),
    })
    expect(await migrate(sql, { schema })).toEqual({ applied: [], adopted: [] })
    const recorded = await sql.unsafe(`SELECT id FROM "${schema}".migrations ORDER BY id`)
    expect(recorded.map((row) => row.id)).toEqual(tags)
    await verifySchema(sql, { schema })
    expect(await runBatch(postgresStore({ sql, schema }))).toHaveLength(3)
  })

  it('migrate() refuses host-created tables that differ, saying how, and changes nothing', async () => {
    const schema = fresh('refuse')
    await hostCreates(schema)
    await sql.unsafe(`ALTER TABLE "${schema}".batches DROP COLUMN wake_at`)
    const failure = await migrate(sql, { schema }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SchemaMismatchError)
    expect((failure as SchemaMismatchError).differences).toContain(
      `column "${schema}"."batches"."wake_at": missing (expected bigint)`,
    )
    expect((failure as Error).message).toMatch(/not created by migrate\(\)/)
    expect(await sql.unsafe(`SELECT id FROM "${schema}".migrations`)).toHaveLength(0)
  })
})

describe('the host’s postgres.js client', () => {
  it('with transform: postgres.camel, batches still complete and the host keeps its transform', async () => {
    const camel: Sql = postgres(testDatabaseUrl(), {
      max: 3,
      transform: postgres.camel,
      onnotice: () => undefined,
    })
    const schema = fresh('camel')
    try {
      expect((await migrate(camel, { schema })).applied).toHaveLength(migrations.length)
      const store = postgresStore({ sql: camel, schema })
      expect(store.sql).not.toBe(camel)
      await store.verifySchema()
      const output = await runBatch(store)
      expect(output.map((line) => line.custom_id).sort()).toEqual(['req-1', 'req-2', 'req-3'])
      await store.close()
      const [row] = await camel`select 1 as still_camel`
      expect(row).toEqual({ stillCamel: 1 })
    } finally {
      await camel.end()
    }
  })

  it('with fetch_types: false (array parameters unknown), batches still complete on a companion client', async () => {
    const bare: Sql = postgres(testDatabaseUrl(), { max: 2, fetch_types: false, onnotice: () => undefined })
    const schema = fresh('no_types')
    try {
      await migrate(bare, { schema })
      const store = postgresStore({ sql: bare, schema })
      expect(store.sql).not.toBe(bare)
      const output = await runBatch(store)
      expect(output).toHaveLength(3)
      await store.close()
    } finally {
      await bare.end()
    }
  })

  it('without result-changing options is used as is', async () => {
    const plain = postgres(testDatabaseUrl(), {
      max: 2,
      transform: { undefined: null },
      onnotice: () => undefined,
    })
    try {
      expect(postgresStore({ sql: plain }).sql).toBe(plain)
    } finally {
      await plain.end()
    }
  })

  it('refuses transform and types in the connection options of a client it opens itself', () => {
    const url = testDatabaseUrl()
    expect(() => postgresStore({ url, connection: { transform: postgres.camel } })).toThrow(
      /`transform`, `types` and `fetch_types: false`/,
    )
    expect(() => postgresStore({ url, connection: { types: {} } })).toThrow(/`transform`, `types`/)
    expect(() => postgresStore({ url, connection: { fetch_types: false } })).toThrow(/fetch_types: false/)
  })

  it('node-postgres pools are refused with what to do instead', async () => {
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 })
    try {
      expect(() => postgresStore({ sql: pool as never })).toThrow(
        /node-postgres \(`pg`\).*postgresStore\(\{ url/s,
      )
      await expect(migrate(drizzleNodePostgres({ client: pool }) as never)).rejects.toThrow(/node-postgres/)
      await expect(verifySchema(pool as never)).rejects.toThrow(/node-postgres/)
    } finally {
      await pool.end()
    }
  })
})
