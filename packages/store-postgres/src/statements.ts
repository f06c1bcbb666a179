import { batchStatements } from './batch-statements.ts'
import { contentStatements } from './content-statements.ts'
import { requestStatements } from './request-statements.ts'
import { usageStatements } from './usage-statements.ts'
import { webhookStatements } from './webhook-statements.ts'

/**
 * The hot-path statements of a store, as SQL text for one schema. Built once per store and run as
 * (optionally prepared) parameterised queries, so the database plans each once per connection.
 *
 * Lease times always come from the database clock (`now()`); domain times (`now` arguments: due
 * dates, not-before, expiry of batches and files) are epoch milliseconds from the engine's clock.
 *
 * @example
 * const st = statements('batchkit')
 * await sql.unsafe(st.getBatch, ['batch-1', 'owner'])
 */
export function statements(schemaName: string) {
  return {
    ...requestStatements(schemaName),
    ...batchStatements(schemaName),
    ...contentStatements(schemaName),
    ...webhookStatements(schemaName),
    ...usageStatements(schemaName),
  }
}

/** The statements of one schema. */
export type Statements = ReturnType<typeof statements>
