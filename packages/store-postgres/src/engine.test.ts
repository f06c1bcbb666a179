import { offsetClock } from '@batchkit/core'
import { describeEngineScenarios } from '@batchkit/testing'
import { createTestSchema } from './testing/index.ts'

// A schema per scenario: the runner claims every due batch, so scenarios must not see each other's.
describeEngineScenarios('postgres store', async () => {
  const db = await createTestSchema('engine')
  // Open a few pooled connections up front. The crash-recovery scenario assumes that no line runs in
  // the tick that validated its batch: true when the tick's line claim reaches the database before the
  // validation commits, which a connection still being opened can miss.
  await Promise.all(Array.from({ length: 4 }, () => db.sql`select pg_sleep(0.01)`))
  return { store: db.store(), clock: offsetClock(), cleanup: () => db.drop() }
})
