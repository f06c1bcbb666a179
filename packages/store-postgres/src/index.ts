export type { EmbeddedMigration, MigrateOptions, MigrateResult } from './migrate.ts'
export { customMigrationSql, migrate } from './migrate.ts'
export { migrations } from './migrations.generated.ts'
export type { BatchkitTables } from './schema.ts'
export {
  batches,
  batchkitSchema,
  batchkitTables,
  blobChunks,
  blobs,
  defaultSchemaName,
  files,
  requests,
  usageDaily,
  usageImports,
  webhookDeliveries,
} from './schema.ts'
export { SchemaMismatchError } from './schema-error.ts'
export type { PostgresStore, PostgresStoreOptions } from './store.ts'
export { postgresStore } from './store.ts'
export { schemaDifferences, type VerifySchemaOptions, verifySchema } from './verify.ts'
