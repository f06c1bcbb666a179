import type { BatchPatch, BatchRecord, FileRecord } from '@batchkit/core/store'

/**
 * A deep copy of a batch record, so callers never share objects with the store.
 *
 * @example
 * return copyBatch(entry.record)
 */
export function copyBatch(record: BatchRecord): BatchRecord {
  return {
    ...record,
    errors: record.errors === null ? null : record.errors.map((error) => ({ ...error })),
    requestCounts: { ...record.requestCounts },
    usage: { ...record.usage },
    metadata: record.metadata === null ? null : { ...record.metadata },
    providerState: record.providerState === null ? null : structuredClone(record.providerState),
  }
}

/**
 * A copy of a file record (all fields are primitives).
 *
 * @example
 * return copyFile(entry.record)
 */
export function copyFile(record: FileRecord): FileRecord {
  return { ...record }
}

/** Fields a patch never sets, whatever a caller passes at run time. */
const immutableFields = new Set(['id', 'ownerId', 'status', 'createdAt', 'idempotencyKey'])

/**
 * Applies `patch` to `record` in place: `undefined` values are skipped, `total` sets
 * `requestCounts.total`, `requestCounts`/`usage` replace the counters (native batches), object values
 * are copied, fields outside {@link BatchPatch} are ignored.
 *
 * @example
 * applyPatch(entry.record, { total: 3, inProgressAt: now })
 */
export function applyPatch(record: BatchRecord, patch: BatchPatch): void {
  const target = record as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || immutableFields.has(key)) continue
    if (key === 'total') {
      if (typeof value === 'number') record.requestCounts.total = value
      continue
    }
    target[key] = value !== null && typeof value === 'object' ? structuredClone(value) : value
  }
}
