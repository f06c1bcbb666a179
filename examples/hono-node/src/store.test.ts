import { randomHex } from '@batchkit/core/store'
import { verifySchema } from '@batchkit/store-postgres'
import { testDatabaseUrl } from '@batchkit/store-postgres/testing'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { openStore } from './store.ts'

describe('store selection of the reference server and workers', () => {
  const schema = `t_open_${randomHex(6)}`
  const admin = postgres(testDatabaseUrl(), { max: 1, onnotice: () => undefined })
  afterAll(async () => {
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.end()
  })

  it('uses the memory store without DATABASE_URL', async () => {
    const { kind } = await openStore(readConfig({}))
    expect(kind).toBe('memory')
  })

  it('uses PostgreSQL with DATABASE_URL, migrating on start, and never prints credentials', async () => {
    const url = new URL(testDatabaseUrl())
    url.password = 'not-printed'
    const config = readConfig({
      DATABASE_URL: testDatabaseUrl(),
      BATCHKIT_DB_SCHEMA: schema,
      BATCHKIT_DB_POOL: '3',
    })
    const opened = await openStore(config)
    try {
      expect(opened.kind).toMatch(new RegExp(`^postgres .*\\(schema ${schema}, pool 3\\)$`))
      expect(opened.kind).not.toContain('not-printed')
      // Every table, column, key and index of the package's schema is there, nothing differs.
      await expect(verifySchema(admin, { schema })).resolves.toBeUndefined()
      // A second process starting on the same database finds everything in place.
      const again = await openStore(config)
      await again.store.close?.()
    } finally {
      await opened.store.close?.()
    }
  })

  it('reads the Postgres and lease settings from the environment', () => {
    expect(readConfig({})).toMatchObject({
      databaseUrl: undefined,
      databaseSchema: 'batchkit',
      databasePoolSize: 10,
      leaseMs: undefined,
      pollMs: undefined,
    })
    expect(
      readConfig({ DATABASE_URL: 'postgres://h/db', BATCHKIT_LEASE_MS: '2000', BATCHKIT_POLL_MS: '50' }),
    ).toMatchObject({ databaseUrl: 'postgres://h/db', leaseMs: 2000, pollMs: 50 })
    expect(() => readConfig({ BATCHKIT_LEASE_MS: '-1' })).toThrow(/BATCHKIT_LEASE_MS/)
  })
})
