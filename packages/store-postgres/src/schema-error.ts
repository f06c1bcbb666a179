/**
 * batchkit's tables in a Postgres schema are not what this version of `@batchkit/store-postgres` needs:
 * thrown by `verifySchema()` (and by `migrate()` when it cannot adopt tables it did not create), with
 * every difference found, so the fix is known before anything runs against a wrong schema.
 *
 * @example
 * try {
 *   await store.verifySchema()
 * } catch (error) {
 *   if (error instanceof SchemaMismatchError) console.error(error.differences.join('\n'))
 *   throw error
 * }
 */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError'
  /** Stable code for logs and alerting. */
  readonly code = 'schema_mismatch'
  /** The Postgres schema checked. */
  readonly schema: string
  /** One line per difference, e.g. `column "jobs"."batches"."wake_at": missing (expected bigint)`. */
  readonly differences: readonly string[]

  constructor(schema: string, differences: readonly string[], advice: string) {
    super(
      `batchkit's tables in schema "${schema}" do not match @batchkit/store-postgres (${differences.length} difference${differences.length === 1 ? '' : 's'}):\n${differences.map((d) => `  - ${d}`).join('\n')}\n${advice}`,
    )
    this.schema = schema
    this.differences = differences
  }
}
