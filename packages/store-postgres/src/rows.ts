import type { BatchPatch, BatchRecord, BatchStatus, FileRecord } from '@batchkit/core/store'
import { getTableColumns } from 'drizzle-orm'
import type { BatchkitTables } from './schema.ts'

type Tables = BatchkitTables
/** A `batches` row as drizzle selects it. */
export type BatchRow = Tables['batches']['$inferSelect']
/** A `batches` row as drizzle inserts it. */
export type BatchInsert = Tables['batches']['$inferInsert']
/** A `files` row as drizzle selects it. */
export type FileRow = Tables['files']['$inferSelect']

/**
 * Maps a row straight from the driver (snake_case names, bigint as text) to drizzle's shape, through
 * the table's own column mappers; for rows returned by raw statements (`RETURNING b.*`).
 *
 * @example
 * const row = fromDriver(tables.batches, raw) as BatchRow
 */
export function fromDriver(table: Tables['batches'], raw: Record<string, unknown>): BatchRow {
  const out: Record<string, unknown> = {}
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name]
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value)
  }
  return out as BatchRow
}

/**
 * A batch record from its row. Objects are fresh (the driver parses JSON anew for every query), so
 * callers never share state with the store.
 *
 * @example
 * const record = batchFromRow(row)
 */
export function batchFromRow(row: BatchRow): BatchRecord {
  return {
    id: row.id,
    ownerId: row.ownerId,
    status: row.status as BatchStatus,
    endpoint: row.endpoint as BatchRecord['endpoint'],
    inputFileId: row.inputFileId,
    completionWindow: row.completionWindow,
    model: row.model,
    errors: row.errors ?? null,
    outputFileId: row.outputFileId,
    errorFileId: row.errorFileId,
    createdAt: row.createdAt,
    inProgressAt: row.inProgressAt,
    expiresAt: row.expiresAt,
    finalizingAt: row.finalizingAt,
    completedAt: row.completedAt,
    failedAt: row.failedAt,
    expiredAt: row.expiredAt,
    cancellingAt: row.cancellingAt,
    cancelledAt: row.cancelledAt,
    requestCounts: { total: row.total, completed: row.completed, failed: row.failed },
    usage: {
      inputTokens: row.inputTokens,
      cachedTokens: row.cachedTokens,
      outputTokens: row.outputTokens,
      reasoningTokens: row.reasoningTokens,
      totalTokens: row.totalTokens,
    },
    metadata: row.metadata ?? null,
    outputExpiresAfter: row.outputExpiresAfter,
    provider: row.provider,
    mode: row.mode as BatchRecord['mode'],
    providerBatchId: row.providerBatchId,
    providerState: row.providerState ?? null,
    credential: row.credential,
    endReason: row.endReason as BatchRecord['endReason'],
    idempotencyKey: row.idempotencyKey,
    wakeAt: row.wakeAt,
  }
}

/**
 * The row of a new batch.
 *
 * @example
 * await db.insert(tables.batches).values(batchToRow(record))
 */
export function batchToRow(record: BatchRecord): BatchInsert {
  return {
    ...patchToRow({ ...record, total: record.requestCounts.total }),
    id: record.id,
    ownerId: record.ownerId,
    status: record.status,
    endpoint: record.endpoint,
    inputFileId: record.inputFileId,
    completionWindow: record.completionWindow,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    provider: record.provider,
    mode: record.mode,
    idempotencyKey: record.idempotencyKey,
  }
}

/**
 * The columns a {@link BatchPatch} sets: `undefined` values are skipped, `total` sets the total count,
 * `requestCounts` / `usage` replace the counters (native batches); fields outside the patch are ignored.
 *
 * @example
 * await db.update(tables.batches).set(patchToRow({ total: 3, inProgressAt: now }))
 */
export function patchToRow(patch: BatchPatch): Partial<BatchInsert> {
  const set: Partial<BatchInsert> = {}
  const copy = <K extends keyof BatchPatch & keyof BatchInsert>(key: K): void => {
    const value = patch[key]
    if (value !== undefined) (set as Record<string, unknown>)[key] = value
  }
  for (const key of [
    'endpoint',
    'inputFileId',
    'completionWindow',
    'model',
    'errors',
    'outputFileId',
    'errorFileId',
    'inProgressAt',
    'expiresAt',
    'finalizingAt',
    'completedAt',
    'failedAt',
    'expiredAt',
    'cancellingAt',
    'cancelledAt',
    'metadata',
    'outputExpiresAfter',
    'provider',
    'mode',
    'providerBatchId',
    'providerState',
    'credential',
    'endReason',
    'wakeAt',
  ] as const) {
    copy(key)
  }
  if (patch.requestCounts !== undefined) {
    set.total = patch.requestCounts.total
    set.completed = patch.requestCounts.completed
    set.failed = patch.requestCounts.failed
  }
  if (typeof patch.total === 'number') set.total = patch.total
  if (patch.usage !== undefined) {
    set.inputTokens = patch.usage.inputTokens
    set.cachedTokens = patch.usage.cachedTokens
    set.outputTokens = patch.usage.outputTokens
    set.reasoningTokens = patch.usage.reasoningTokens
    set.totalTokens = patch.usage.totalTokens
  }
  return set
}

/**
 * A file record from its row.
 *
 * @example
 * const record = fileFromRow(row)
 */
export function fileFromRow(row: FileRow): FileRecord {
  return {
    id: row.id,
    ownerId: row.ownerId,
    filename: row.filename,
    purpose: row.purpose as FileRecord['purpose'],
    bytes: row.bytes,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  }
}
