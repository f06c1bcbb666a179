import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomHex } from '@batchkit/core/store'
import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { customMigrationTags, migrate } from './migrate.ts'
import type { MigrationJournal } from './migration-source.ts'
import { migrations } from './migrations.generated.ts'
import * as schema from './schema.ts'
import { testDatabaseUrl } from './testing/index.ts'

const drizzleDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'drizzle')
const journal = JSON.parse(readFileSync(join(drizzleDir, 'meta/_journal.json'), 'utf8')) as MigrationJournal

describe('migrations', () => {
  const sql = postgres(testDatabaseUrl(), { max: 4, onnotice: () => undefined })
  const schemas: string[] = []
  const freshName = () => {
    const name = `t_migrate_${randomHex(6)}`
    schemas.push(name)
    return name
  }
  afterAll(async () => {
    for (const name of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
    await sql.end()
  })

  it('match the drizzle schema: drizzle-kit finds nothing to generate', async () => {
    const { generateDrizzleJson, generateMigration } = await import('drizzle-kit/api')
    const last = journal.entries.at(-1)!
    const snapshot = JSON.parse(
      readFileSync(join(drizzleDir, 'meta', `${last.tag.split('_')[0]}_snapshot.json`), 'utf8'),
    )
    const current = generateDrizzleJson({ ...schema }, snapshot.id)
    const pending = await generateMigration(snapshot, current)
    expect(
      pending,
      'src/schema.ts changed: run `pnpm --filter @batchkit/store-postgres db:generate`',
    ).toEqual([])
  })

  it('list as custom exactly the migrations drizzle-kit does not generate (snapshot unchanged)', async () => {
    const { generateDrizzleJson, generateMigration } = await import('drizzle-kit/api')
    let previous = generateDrizzleJson({})
    for (const { tag } of [...journal.entries].sort((a, b) => a.idx - b.idx)) {
      const snapshot = JSON.parse(
        readFileSync(join(drizzleDir, 'meta', `${tag.split('_')[0]}_snapshot.json`), 'utf8'),
      )
      const generated = await generateMigration(previous, snapshot)
      expect(customMigrationTags.has(tag), `${tag}: custom iff drizzle-kit generates nothing for it`).toBe(
        generated.length === 0,
      )
      previous = snapshot
    }
  })

  it('are embedded exactly as drizzle-kit wrote them', () => {
    const expected = [...journal.entries]
      .sort((a, b) => a.idx - b.idx)
      .map(({ tag }) => ({
        tag,
        statements: readFileSync(join(drizzleDir, `${tag}.sql`), 'utf8')
          .split('--> statement-breakpoint')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      }))
    expect(
      migrations.map((m) => ({ tag: m.tag, statements: [...m.statements] })),
      'drizzle/ changed: run `pnpm --filter @batchkit/store-postgres db:generate -- --embed-only`',
    ).toEqual(expected)
  })

  it('apply once, into the schema asked for, and are idempotent', async () => {
    const name = freshName()
    expect(await migrate(sql, { schema: name })).toEqual({
      applied: migrations.map((m) => m.tag),
      adopted: [],
    })
    expect(await migrate(drizzle({ client: sql }), { schema: name })).toEqual({ applied: [], adopted: [] })
    const tables = await sql`
      select table_name from information_schema.tables where table_schema = ${name} order by table_name`
    expect(tables.map((t) => t.table_name)).toEqual([
      'batches',
      'blob_chunks',
      'blobs',
      'files',
      'migrations',
      'requests',
      'usage_daily',
      'usage_imports',
      'webhook_deliveries',
    ])
    const sequences = await sql`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${name} and c.relkind = 'S' order by c.relname`
    expect(sequences.map((s) => s.relname)).toEqual([
      'batches_seq_seq',
      'blobs_seq_seq',
      'files_seq_seq',
      'webhook_deliveries_seq_seq',
    ])
    // File content: lz4 where the server has it, else stored uncompressed (never the slow pglz).
    const [content] = await sql.unsafe(
      `select attcompression::text as compression, attstorage::text as storage from pg_attribute
       where attrelid = $1::regclass and attname = 'data'`,
      [`"${name}".blob_chunks`],
    )
    expect(['l x', ' e']).toContain(`${content!.compression} ${content!.storage}`)
  })

  it('are safe when several processes start at once (no advisory locks)', async () => {
    const name = freshName()
    const clients = Array.from({ length: 4 }, () =>
      postgres(testDatabaseUrl(), { max: 1, onnotice: () => undefined }),
    )
    try {
      const results = await Promise.all(clients.map((client) => migrate(client, { schema: name })))
      // Each migration applied exactly once, by whichever process got to it first.
      const applied = results.flatMap((r) => r.applied)
      expect(applied.sort()).toEqual(migrations.map((m) => m.tag).sort())
      const [row] = await sql.unsafe(`select count(*)::int as n from "${name}".migrations`)
      expect(row!.n).toBe(migrations.length)
    } finally {
      await Promise.all(clients.map((client) => client.end()))
    }
  })

  it('rejects schema names that would need quoting', async () => {
    await expect(migrate(sql, { schema: 'bad"name' })).rejects.toThrow(/Invalid Postgres schema name/)
  })
})
