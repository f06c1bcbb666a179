/**
 * `@batchkit/core/store` — for authors of a `Store`: the contract, the records a store keeps, content
 * helpers, the state-machine facts a store needs, and the id formats its records and fixtures use. The
 * conformance suite that checks a store is `describeStoreConformance` from `@batchkit/testing`.
 *
 * @example
 * import { clampRange, pumpLimited, type FileStore } from '@batchkit/core/store'
 *
 * const bytes = await pumpLimited(content, maxBytes, (chunk) => { chunks.push(chunk) })
 */
export type { Clock } from '../clock.ts'
export type {
  WebhookAttemptResult,
  WebhookDeliveryLease,
  WebhookDeliveryQuery,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEventType,
  WebhookOutbox,
} from '../contracts/outbox.ts'
export type {
  BatchLease,
  BatchMode,
  BatchPatch,
  BatchRecord,
  ClaimedRequest,
  EndReason,
  FileRecord,
  RequestItem,
  RequestLease,
  RequestOutcome,
  UsageTotals,
} from '../contracts/records.ts'
export type { Scope } from '../contracts/scope.ts'
export type {
  BacklogEntry,
  BatchListQuery,
  BatchStore,
  ByteRange,
  ClaimQuery,
  ClosingError,
  DueQuery,
  FileListQuery,
  FileStore,
  ImportedUsage,
  RequestStore,
  Store,
  StorePage,
  UsageRecord,
  UsageStore,
  UsageStoreQuery,
} from '../contracts/store.ts'
export { newBatchId, newFileId, newRequestId, newRequestLineId, randomHex } from '../ids.ts'
export { InternalError, isInternalError } from '../internal-error.ts'
export { pooledIds } from '../pooled-ids.ts'
export { isTerminal, terminalStatuses } from '../state.ts'
export { utcDay } from '../usage/day.ts'
export type { BatchError, BatchStatus } from '../wire/batch.ts'
export { clampRange, fileTooLarge, pumpLimited } from './content.ts'
