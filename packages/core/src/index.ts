/**
 * `@batchkit/core` — what an app needs to run batchkit: the engine, its options and services, errors,
 * clocks, limits, logger adapters and the OpenAI wire objects. Store authors import from
 * `@batchkit/core/store`, provider authors from `@batchkit/core/provider`; the Node runner loop is
 * `@batchkit/core/node`.
 *
 * @example
 * import { createBatchEngine } from '@batchkit/core'
 * import { memoryStore } from '@batchkit/store-memory'
 * import { mockProvider } from '@batchkit/provider-mock'
 *
 * const engine = createBatchEngine({ store: memoryStore(), providers: [mockProvider()], secret: process.env.BATCHKIT_SECRET })
 */
export { type Clock, type OffsetClock, offsetClock, systemClock } from './clock.ts'
export type {
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEventType,
} from './contracts/outbox.ts'
export type { Provider } from './contracts/provider.ts'
export type { BatchMode } from './contracts/records.ts'
export type { Scope } from './contracts/scope.ts'
export type { Store } from './contracts/store.ts'
export { sha256Hex } from './crypto.ts'
export type { Overrides } from './defaults.ts'
export { createBatchEngine } from './engine/engine.ts'
export type {
  BatchEngine,
  BatchEngineOptions,
  BatchesService,
  CreateBatchOptions,
  EngineHooks,
  FileListParams,
  FilesService,
  Logger,
  ReceivedContent,
  Runner,
  RunnerOptions,
  TickOptions,
  TickReport,
  UploadFields,
} from './engine/types.ts'
export { errorFields, loggableFields } from './error-fields.ts'
export {
  BatchkitError,
  type BatchkitErrorCode,
  type ErrorEnvelope,
  isBatchkitError,
  toBatchkitError,
} from './errors.ts'
export { defaultLimits, type Limits } from './limits.ts'
export {
  type FieldsFirstLogger,
  fieldsFirstLogger,
  type PinoLike,
  pinoLogger,
  withLogFields,
} from './logging.ts'
export type { Telemetry } from './telemetry/types.ts'
export type {
  ModelPrice,
  PriceTable,
  UsageDimension,
  UsageOptions,
  UsageQuery,
  UsageRow,
} from './usage/index.ts'
export type {
  WebhookDeliveriesQuery,
  WebhookEndpoint,
  WebhookEventPayload,
  WebhookOptions,
  WebhooksService,
} from './webhooks/index.ts'
export { signWebhook } from './webhooks/index.ts'
export { type BatchEndpoint, type BatchObject, type BatchStatus, batchObjectSchema } from './wire/batch.ts'
export {
  type FileDeleted,
  type FileObject,
  type FilePurpose,
  fileObjectSchema,
  filePurposes,
} from './wire/file.ts'
export { type ListPage, listPage } from './wire/list.ts'
