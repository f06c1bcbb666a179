import type { BatchError } from '@batchkit/core/store'
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

/** The Postgres schema batchkit's tables live in unless told otherwise. */
export const defaultSchemaName = 'batchkit'

/** `bytea`, as raw bytes (drizzle-orm has no built-in column for it). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
})

/** Epoch milliseconds: every domain time (the engine's clock) is stored like this. */
const epochMs = (name: string) => bigint(name, { mode: 'number' })

/**
 * batchkit's tables, in the Postgres schema `schemaName`. Use it to give each tenant or test its own
 * schema, or to include batchkit's tables in your own drizzle-kit setup under another name.
 *
 * - `files`: file metadata (content lives in `blobs` + `blobChunks`).
 * - `blobs`: one row per stored content version of a file: `writing` while an upload streams in,
 *   `ready` once complete (a failed or abandoned upload never becomes visible).
 * - `blobChunks`: the bytes, in slices of ~256 KiB keyed by their byte offset, so ranges are read
 *   without touching the rest of the file.
 * - `batches`: one row per batch, with its counters, usage, wake-up time and batch lease.
 * - `requests`: one row per input line: state, attempts, not-before, lease, outcome line.
 * - `webhookDeliveries`: the webhook outbox, one row per (event, endpoint): status, attempts, next
 *   attempt, lease.
 * - `usageDaily`: the usage rollup, tokens per owner, UTC day, provider, model and mode.
 * - `usageImports`: native batches whose imported usage is in the rollup (so it is added once).
 *
 * @example
 * import { batchkitTables } from '@batchkit/store-postgres'
 * export const { files, blobs, blobChunks, batches, requests } = batchkitTables('jobs')
 */
export function batchkitTables<TSchema extends string>(schemaName: TSchema) {
  const schema = pgSchema(schemaName)

  const files = schema.table(
    'files',
    {
      seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
      id: text('id').primaryKey(),
      ownerId: text('owner_id').notNull(),
      filename: text('filename').notNull(),
      purpose: text('purpose').notNull(),
      bytes: bigint('bytes', { mode: 'number' }).notNull(),
      createdAt: epochMs('created_at').notNull(),
      expiresAt: epochMs('expires_at'),
      deleted: boolean('deleted').notNull().default(false),
    },
    (t) => [
      index('files_owner_seq_idx').on(t.ownerId, t.seq),
      index('files_expires_idx').on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
    ],
  )

  const blobs = schema.table(
    'blobs',
    {
      seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
      id: text('id').primaryKey(),
      fileId: text('file_id').notNull(),
      /** `writing` while the upload streams in, `ready` once it completed. */
      state: text('state').notNull(),
      bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
      /** Database clock: lets a sweeper find uploads abandoned by a crashed process. */
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [index('blobs_file_idx').on(t.fileId, t.seq)],
  )

  const blobChunks = schema.table(
    'blob_chunks',
    {
      blobId: text('blob_id')
        .notNull()
        .references(() => blobs.id, { onDelete: 'cascade' }),
      /** Byte offset of the first byte of `data` in the file. */
      startOffset: bigint('start_offset', { mode: 'number' }).notNull(),
      data: bytea('data').notNull(),
    },
    (t) => [primaryKey({ name: 'blob_chunks_pkey', columns: [t.blobId, t.startOffset] })],
  )

  const batches = schema.table(
    'batches',
    {
      seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
      id: text('id').primaryKey(),
      ownerId: text('owner_id').notNull(),
      status: text('status').notNull(),
      endpoint: text('endpoint').notNull(),
      inputFileId: text('input_file_id').notNull(),
      completionWindow: text('completion_window').notNull(),
      model: text('model'),
      errors: jsonb('errors').$type<BatchError[]>(),
      outputFileId: text('output_file_id'),
      errorFileId: text('error_file_id'),
      createdAt: epochMs('created_at').notNull(),
      inProgressAt: epochMs('in_progress_at'),
      expiresAt: epochMs('expires_at').notNull(),
      finalizingAt: epochMs('finalizing_at'),
      completedAt: epochMs('completed_at'),
      failedAt: epochMs('failed_at'),
      expiredAt: epochMs('expired_at'),
      cancellingAt: epochMs('cancelling_at'),
      cancelledAt: epochMs('cancelled_at'),
      total: integer('total').notNull().default(0),
      completed: integer('completed').notNull().default(0),
      failed: integer('failed').notNull().default(0),
      inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
      cachedTokens: bigint('cached_tokens', { mode: 'number' }).notNull().default(0),
      outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
      reasoningTokens: bigint('reasoning_tokens', { mode: 'number' }).notNull().default(0),
      totalTokens: bigint('total_tokens', { mode: 'number' }).notNull().default(0),
      metadata: jsonb('metadata').$type<Record<string, string>>(),
      outputExpiresAfter: integer('output_expires_after'),
      provider: text('provider').notNull(),
      mode: text('mode').notNull(),
      providerBatchId: text('provider_batch_id'),
      providerState: jsonb('provider_state').$type<Record<string, unknown>>(),
      credential: text('credential'),
      endReason: text('end_reason'),
      idempotencyKey: text('idempotency_key'),
      /** When batch-level work is next due (domain time), or null. */
      wakeAt: epochMs('wake_at'),
      /** Earliest wake-up `record` asked for while a lease held the batch; `release` keeps it. */
      wakeDuringLease: epochMs('wake_during_lease'),
      leaseToken: text('lease_token'),
      /** Database clock. */
      leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    },
    (t) => [
      index('batches_owner_seq_idx').on(t.ownerId, t.seq),
      index('batches_owner_created_idx').on(t.ownerId, t.createdAt),
      index('batches_input_file_idx').on(t.inputFileId),
      uniqueIndex('batches_idempotency_idx')
        .on(t.ownerId, t.idempotencyKey)
        .where(sql`${t.idempotencyKey} is not null`),
      index('batches_wake_idx').on(t.wakeAt, t.seq).where(sql`${t.wakeAt} is not null`),
      index('batches_running_idx').on(t.seq).where(sql`${t.status} = 'in_progress'`),
    ],
  )

  const requests = schema.table(
    'requests',
    {
      batchId: text('batch_id').notNull(),
      /** 1-based line number in the input file. */
      idx: integer('idx').notNull(),
      requestId: text('request_id').notNull(),
      customId: text('custom_id').notNull(),
      byteOffset: bigint('byte_offset', { mode: 'number' }).notNull(),
      byteLength: integer('byte_length').notNull(),
      /** `pending`, `leased` (live or lapsed lease) or `done`. */
      state: text('state').notNull().default('pending'),
      attempts: integer('attempts').notNull().default(0),
      /** Not claimable before this domain time. */
      notBefore: epochMs('not_before').notNull().default(0),
      leaseToken: text('lease_token'),
      /** Database clock. */
      leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
      /** `succeeded` or `failed` once done. */
      outcome: text('outcome'),
      /** The output or error file line. */
      line: text('line'),
    },
    (t) => [
      primaryKey({ name: 'requests_pkey', columns: [t.batchId, t.idx] }),
      index('requests_open_idx').on(t.batchId, t.idx).where(sql`${t.state} <> 'done'`),
      index('requests_lease_idx').on(t.leaseToken).where(sql`${t.leaseToken} is not null`),
    ],
  )

  const webhookDeliveries = schema.table(
    'webhook_deliveries',
    {
      seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
      /** `whd_…`, derived from the event and the endpoint. */
      id: text('id').primaryKey(),
      eventId: text('event_id').notNull(),
      eventType: text('event_type').notNull(),
      batchId: text('batch_id').notNull(),
      ownerId: text('owner_id').notNull(),
      url: text('url').notNull(),
      /** The exact JSON body sent on every attempt. */
      payload: text('payload').notNull(),
      /** `pending`, `delivered` or `failed`. */
      status: text('status').notNull().default('pending'),
      attempts: integer('attempts').notNull().default(0),
      /** Not claimable before this domain time. */
      nextAttemptAt: epochMs('next_attempt_at').notNull(),
      createdAt: epochMs('created_at').notNull(),
      deliveredAt: epochMs('delivered_at'),
      lastStatus: integer('last_status'),
      lastError: text('last_error'),
      leaseToken: text('lease_token'),
      /** Domain time (the engine's clock, which also times retries). */
      leaseExpiresAt: epochMs('lease_expires_at'),
    },
    (t) => [
      index('webhook_deliveries_batch_idx').on(t.batchId, t.seq),
      index('webhook_deliveries_event_idx').on(t.eventId, t.seq),
      index('webhook_deliveries_due_idx').on(t.nextAttemptAt, t.seq).where(sql`${t.status} = 'pending'`),
    ],
  )

  const usageDaily = schema.table(
    'usage_daily',
    {
      ownerId: text('owner_id').notNull(),
      /** UTC date the lines were recorded (native: imported). */
      day: date('day', { mode: 'string' }).notNull(),
      provider: text('provider').notNull(),
      /** The model that answered; '' when none was named. */
      model: text('model').notNull(),
      /** `emulated` or `native`. */
      mode: text('mode').notNull(),
      /** Succeeded lines. */
      requests: bigint('requests', { mode: 'number' }).notNull().default(0),
      inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
      cachedTokens: bigint('cached_tokens', { mode: 'number' }).notNull().default(0),
      outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
      reasoningTokens: bigint('reasoning_tokens', { mode: 'number' }).notNull().default(0),
      totalTokens: bigint('total_tokens', { mode: 'number' }).notNull().default(0),
    },
    (t) => [
      primaryKey({
        name: 'usage_daily_pkey',
        columns: [t.ownerId, t.day, t.provider, t.model, t.mode],
      }),
      index('usage_daily_day_idx').on(t.day),
    ],
  )

  const usageImports = schema.table('usage_imports', {
    /** A native batch whose imported usage is in `usage_daily` (added once per batch). */
    batchId: text('batch_id').primaryKey(),
    /** Domain time of the import. */
    importedAt: epochMs('imported_at').notNull(),
  })

  return { schema, files, blobs, blobChunks, batches, requests, webhookDeliveries, usageDaily, usageImports }
}

/** batchkit's tables for a given schema name. */
export type BatchkitTables = ReturnType<typeof batchkitTables>

const defaults = batchkitTables(defaultSchemaName)

/** The `batchkit` Postgres schema. */
export const batchkitSchema = defaults.schema
/** File metadata, in schema `batchkit`. */
export const files = defaults.files
/** Stored content versions of files, in schema `batchkit`. */
export const blobs = defaults.blobs
/** File bytes in ~256 KiB slices, in schema `batchkit`. */
export const blobChunks = defaults.blobChunks
/** Batches, in schema `batchkit`. */
export const batches = defaults.batches
/** Request lines, one row each, in schema `batchkit`. */
export const requests = defaults.requests
/** The webhook outbox, one row per (event, endpoint), in schema `batchkit`. */
export const webhookDeliveries = defaults.webhookDeliveries
/** The usage rollup (tokens per owner, day, provider, model, mode), in schema `batchkit`. */
export const usageDaily = defaults.usageDaily
/** Native batches whose usage is in the rollup, in schema `batchkit`. */
export const usageImports = defaults.usageImports
