import { offsetClock } from '@batchkit/core'
import { describeStoreConformance } from '@batchkit/testing'
import { afterAll, beforeAll } from 'vitest'
import { createTestSchema, type TestSchema } from './testing/index.ts'

// One schema for the whole file: the suite is written for a shared database (own owners, providers, ids).
let db: TestSchema
beforeAll(async () => {
  db = await createTestSchema('conformance')
})
afterAll(() => db?.drop())

describeStoreConformance('postgres', () => ({ store: db.store(), clock: offsetClock() }))

describeStoreConformance('postgres (64-byte chunks, own client without prepared statements)', () => {
  // Tiny chunks put every range read across many rows and pages; `prepare: false` is how clients run
  // behind transaction-mode poolers.
  const store = db.store({ chunkBytes: 64, connection: { max: 4, prepare: false } })
  return { store, clock: offsetClock(), cleanup: () => store.close() }
})

describeStoreConformance('postgres (file content through INSERT and SELECT instead of COPY)', () => ({
  store: db.store({ copy: false }),
  clock: offsetClock(),
}))
