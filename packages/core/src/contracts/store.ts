import type { BatchStatus } from '../wire/batch.ts'
import type { FilePurpose } from '../wire/file.ts'
import type { WebhookOutbox } from './outbox.ts'
import type {
  BatchLease,
  BatchMode,
  BatchPatch,
  BatchRecord,
  FileRecord,
  RequestItem,
  RequestLease,
  RequestOutcome,
  UsageTotals,
} from './records.ts'
import type { Scope } from './scope.ts'

/** A half-open byte range `[start, end)`. */
export interface ByteRange {
  start: number
  end: number
}

/** One page of a list query. */
export interface StorePage<T> {
  data: T[]
  hasMore: boolean
}

/** Query of {@link FileStore.list}. */
export interface FileListQuery {
  purpose?: FilePurpose
  limit: number
  order: 'asc' | 'desc'
  /** Cursor: return items strictly after this id in `order`. */
  after?: string
  /** Files that expired before this time are hidden. */
  now: number
}

/** File metadata and content. Content is stored in chunks and streamed both ways. */
export interface FileStore {
  /**
   * Streams `content` into storage under `id`. Throws `BatchkitError('file_too_large')` past `maxBytes`,
   * keeping nothing. Returns the byte count. The content is not listed until {@link insert}.
   */
  writeContent(
    id: string,
    content: ReadableStream<Uint8Array>,
    options?: { maxBytes?: number },
  ): Promise<number>
  /** Makes a file visible. Idempotent: inserting an existing id keeps the first record. */
  insert(record: FileRecord): Promise<void>
  /** The file, unless deleted, expired (`expiresAt <= now`) or owned by someone else. */
  get(scope: Scope, id: string, now: number): Promise<FileRecord | null>
  /** Files of `scope`, in creation order (`order`), optionally of one purpose. */
  list(scope: Scope, query: FileListQuery): Promise<StorePage<FileRecord>>
  /** Hides the file from get/list. Content stays until {@link purgeContent}. False when not found. */
  delete(scope: Scope, id: string): Promise<boolean>
  /** Streams content (all of it, or `range`), even of a deleted file whose content is not purged yet. */
  read(scope: Scope, id: string, range?: ByteRange): Promise<ReadableStream<Uint8Array> | null>
  /** Removes the content of a file. Idempotent. */
  purgeContent(id: string): Promise<void>
  /**
   * Removes up to `limit` files whose `expiresAt <= now`, record and content, choosing the earliest
   * expiry first, except the input of a batch that has not ended (it goes once that batch ends). Returns
   * their ids, in no particular order. Safe to run from many processes at once.
   */
  sweepExpired(now: number, limit: number): Promise<string[]>
}

/** Query of {@link BatchStore.list}. */
export interface BatchListQuery {
  limit: number
  /** Cursor: return batches created strictly before this one (newest first). */
  after?: string
}

/** Query of {@link BatchStore.claim} and {@link RequestStore.claim}. */
export interface ClaimQuery {
  workerId: string
  /** Domain time (engine clock): decides what is due and what has expired. */
  now: number
  leaseMs: number
  limit: number
}

/** Query of {@link BatchStore.nextWake} and {@link RequestStore.nextDue}. */
export interface DueQuery {
  /** Domain time (engine clock). */
  now: number
  /** Only work of these providers (all when omitted), as in {@link RequestStore.claim}. */
  providers?: readonly string[]
}

/** Work not yet done across every process sharing a store, for one provider (see {@link BatchStore.backlog}). */
export interface BacklogEntry {
  provider: string
  /** Batches `in_progress`. */
  batches: number
  /** Their lines without an outcome yet: pending, waiting for a retry, or in flight. */
  lines: number
}

/** Batches: CAS status transitions and leases for batch-level work. */
export interface BatchStore {
  /**
   * Stores a new batch. With an `idempotencyKey` already used by the same owner, stores nothing and
   * returns the existing batch.
   */
  insert(record: BatchRecord): Promise<BatchRecord>
  get(scope: Scope, id: string): Promise<BatchRecord | null>
  /** Newest first. */
  list(scope: Scope, query: BatchListQuery): Promise<StorePage<BatchRecord>>
  /** How many batches `scope` created at or after `since`. */
  countCreatedSince(scope: Scope, since: number): Promise<number>
  /** True when a non-terminal batch of `scope` reads `fileId` as its input. */
  hasActiveInput(scope: Scope, fileId: string): Promise<boolean>
  /**
   * Compare-and-set: moves batch `id` to `to` and applies `patch` only if its status is one of
   * `from` (and, with `fence`, only while that lease token still holds the batch). Exactly one of
   * several concurrent callers wins; the others get null.
   */
  transition(
    id: string,
    from: readonly BatchStatus[],
    to: BatchStatus,
    patch: BatchPatch,
    fence?: string,
  ): Promise<BatchRecord | null>
  /** Applies `patch` while `fence` still holds the batch. False when the lease was lost. */
  update(id: string, patch: BatchPatch, fence: string): Promise<boolean>
  /**
   * Leases up to `limit` batches whose `wakeAt <= now` and which no live lease holds, oldest wake first.
   * An expired lease is claimable again; every claim gets a fresh token.
   */
  claim(query: ClaimQuery): Promise<BatchLease[]>
  /**
   * Extends a live batch lease held by `token` to `leaseMs` from now (store clock), for batch steps that
   * outlast a lease (a long validation, a native upload or import). False when the lease was lost.
   */
  heartbeat(id: string, token: string, leaseMs: number): Promise<boolean>
  /**
   * Ends a lease held by `token`, scheduling the next wake-up (null: none). A wake-up that someone else
   * set while the lease was held — `record` finishing the last line, or a `transition` without `fence`
   * (a client's cancel) — is never postponed: the batch wakes at the earlier of the two.
   */
  release(id: string, token: string, wakeAt: number | null): Promise<void>
  /**
   * The earliest domain time at which {@link claim} could return a batch (of `providers`, when given):
   * the smallest `wakeAt`, where a live lease holds a batch the later of its `wakeAt` and the lease's end
   * (`now` plus the lease time left). A time at or before `now` means due now; null: nothing scheduled.
   */
  nextWake(query: DueQuery): Promise<number | null>
  /**
   * Optional, for metrics (queue depth): the `in_progress` batches per provider and their lines without an
   * outcome yet (`total − completed − failed`), summed from the batches' counters — O(running batches),
   * never a scan of request lines. Providers with no running batch are left out.
   */
  backlog?(): Promise<BacklogEntry[]>
}

/** The error line {@link RequestStore.closeRemaining} writes for lines a cancel or expiry closes. */
export interface ClosingError {
  code: string
  /** For a line that was never sent. */
  message: string
  /** For a line that may have been sent (an attempt was counted) but has no recorded result. */
  sentMessage: string
}

/** Request lines of batches: leases with fencing, outcomes recorded exactly once, live counters. */
export interface RequestStore {
  /** Adds lines to a batch. Idempotent per (batch, index), so an interrupted ingest can rerun. */
  insert(batchId: string, items: readonly RequestItem[]): Promise<void>
  /**
   * Leases up to `limit` pending lines (not before their `notBefore`) of `in_progress` batches that
   * have not expired at `now`, optionally only of the given providers. Lines of an expired lease
   * are claimable again. Each claim counts one attempt per line and has a fresh token.
   */
  claim(query: ClaimQuery & { providers?: readonly string[] }): Promise<RequestLease | null>
  /** Extends the lease of lines still held by `token`; returns how many it still holds. */
  heartbeat(token: string, leaseMs: number): Promise<number>
  /**
   * Records outcomes of lines held by `token`; others (re-claimed by another worker, closed, already
   * recorded) are ignored. A lapsed lease may still record lines nobody has claimed or closed since.
   * In the same step it adds to the batch's counters and usage, and wakes the batch (`wakeAt = now`)
   * when its last line finished or when it is no longer `in_progress`.
   */
  record(token: string, outcomes: readonly RequestOutcome[], now: number): Promise<{ accepted: number }>
  /**
   * The earliest domain time at which {@link claim} could return a line of an `in_progress`, unexpired
   * batch (of `providers`, when given): a pending line's `notBefore`, or for a leased line the end of its
   * lease (`now` plus the lease time left). A time at or before `now` means due now; null: no such line.
   */
  nextDue(query: DueQuery): Promise<number | null>
  /** Lines of `batchId` held by a live lease. */
  inFlight(batchId: string): Promise<number>
  /**
   * Fails every line of `batchId` that has no outcome and no live lease with an error line
   * `{id, custom_id, response:null, error:{code, message}}`: `error.message` for a line never sent (no
   * attempt counted), `error.sentMessage` for one that may have been (an attempt counted, no result
   * recorded). Updates counters. Returns how many it closed.
   */
  closeRemaining(batchId: string, error: ClosingError): Promise<number>
  /** Output (`succeeded`) or error (`failed`) lines of a batch, by line index, after `afterIndex`. */
  readOutcomes(
    batchId: string,
    kind: 'succeeded' | 'failed',
    afterIndex: number,
    limit: number,
  ): Promise<{ index: number; line: string }[]>
  /** Removes all lines of a batch. */
  deleteAll(batchId: string): Promise<void>
}

/**
 * One row of the usage rollup: the tokens of one owner's succeeded lines of one provider, model and
 * mode, recorded on one UTC day.
 */
export interface UsageRecord extends UsageTotals {
  ownerId: string
  provider: string
  /** The model that answered (see `RequestOutcome.model`); `''` when neither line nor batch named one. */
  model: string
  mode: BatchMode
  /** The UTC date the lines were recorded (native: imported), `YYYY-MM-DD`. */
  day: string
  /** Succeeded lines (output file lines). */
  requests: number
}

/** Query of {@link UsageStore.query}. */
export interface UsageStoreQuery {
  /** Only this owner's rows; every owner's when omitted. */
  ownerId?: string
  /** First UTC day, `YYYY-MM-DD` (inclusive). */
  fromDay: string
  /** Last UTC day, `YYYY-MM-DD` (inclusive). */
  toDay: string
}

/** The usage of a native batch's imported output lines of one model (see {@link UsageStore.addImported}). */
export interface ImportedUsage extends UsageTotals {
  model: string
  requests: number
}

/**
 * The usage rollup: tokens per owner, provider, model, mode and UTC day, counted exactly once. Emulated
 * lines are added by {@link RequestStore.record} in the same atomic step that records their outcome
 * (fenced: a line a stale lease records again adds nothing); native batches by {@link addImported}.
 */
export interface UsageStore {
  /** The rollup rows of `query`, ordered by day, owner, provider, model and mode. */
  query(query: UsageStoreQuery): Promise<UsageRecord[]>
  /**
   * Adds the usage of a native batch's imported results on the UTC day of `now`, with the batch's owner,
   * provider and mode, once per batch: a later call for the same batch (an import run again after a
   * crash) adds nothing and returns false. False as well when the batch does not exist.
   */
  addImported(batchId: string, usage: readonly ImportedUsage[], now: number): Promise<boolean>
}

/**
 * Where batchkit keeps its state. Implementations: `@batchkit/store-memory`, `@batchkit/store-postgres`.
 * Every implementation must pass the conformance suite in `@batchkit/testing`.
 */
export interface Store {
  readonly files: FileStore
  readonly batches: BatchStore
  readonly requests: RequestStore
  /** The webhook outbox; needed only by engines with `webhooks` configured. */
  readonly webhooks?: WebhookOutbox
  /**
   * The usage rollup (`engine.usage()`). Optional for stores written before it existed; a store that has
   * it must add to it in {@link RequestStore.record}.
   */
  readonly usage?: UsageStore
  /**
   * Resolves when the store can serve requests; throws (a `BatchkitError('service_unavailable')`, by
   * preference) when it cannot, e.g. while its database is down. For readiness checks.
   */
  ping?(): Promise<void>
  /** Releases connections and timers. */
  close?(): Promise<void>
}
