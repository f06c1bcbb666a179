import type { Clock } from '../clock.ts'
import type { Provider } from '../contracts/provider.ts'
import type { BatchMode } from '../contracts/records.ts'
import type { Scope } from '../contracts/scope.ts'
import type { Store } from '../contracts/store.ts'
import type { Overrides } from '../defaults.ts'
import type { Limits } from '../limits.ts'
import type { Telemetry } from '../telemetry/types.ts'
import type { UsageOptions, UsageQuery, UsageRow } from '../usage/query.ts'
import type { WebhookOptions } from '../webhooks/options.ts'
import type { WebhooksService } from '../webhooks/service.ts'
import type { BatchObject } from '../wire/batch.ts'
import type { FileDeleted, FileObject } from '../wire/file.ts'
import type { ListPage } from '../wire/list.ts'

/** Where batchkit reports what happens; defaults to silence. Never receives credentials. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void
  info?(message: string, fields?: Record<string, unknown>): void
  warn?(message: string, fields?: Record<string, unknown>): void
  error?(message: string, fields?: Record<string, unknown>): void
}

/** Callbacks on batch lifecycle events (e.g. to send webhooks). Errors they throw are logged, not raised. */
export interface EngineHooks {
  /** A batch reached `completed`, `failed`, `expired` or `cancelled`. */
  onBatchTerminal?(batch: BatchObject): void | Promise<void>
}

/** Options of {@link createBatchEngine}. */
export interface BatchEngineOptions {
  store: Store
  providers: readonly Provider[]
  /** Time source; the system clock by default. */
  clock?: Clock
  /**
   * Secret that seals provider keys at rest (AES-GCM), or a list for rotation: the first seals, every
   * one opens (`[current, ...previous]`). Every process sharing a store needs the same secrets. Without
   * one, a random per-process secret is used (fine for a single process with the memory store).
   */
  secret?: string | readonly string[]
  limits?: Overrides<Limits>
  logger?: Logger
  hooks?: EngineHooks
  /**
   * Metrics and traces of the runner: batch steps, provider calls, claims, recorded lines, lost leases,
   * store failures (`@batchkit/otel`: OpenTelemetry, Prometheus). Several are combined. None by default,
   * and then the runner does no work for it.
   */
  telemetry?: Telemetry | readonly Telemetry[]
  /** Identifies this process in leases; random by default. */
  workerId?: string
  /** Runner tuning. */
  runner?: RunnerOptions
  /**
   * Webhooks as OpenAI sends them (`batch.completed`, `batch.failed`, `batch.cancelled`, `batch.expired`),
   * signed per Standard Webhooks, delivered durably from the store's outbox (see docs/webhooks.md). Off
   * by default; needs a store with `webhooks` (both batchkit stores have it).
   */
  webhooks?: WebhookOptions
  /** The price table (and native discount) `usage()` reports cost with. */
  usage?: UsageOptions
}

/** Runner tuning. */
export interface RunnerOptions {
  /** How long a claimed line or batch stays leased without a heartbeat (default 60 s). */
  leaseMs?: number
  /** Most lines claimed in one store call (default 256). */
  claimBatchSize?: number
  /** Most outcomes written in one store call (default 256). */
  recordBatchSize?: number
  /** Longest wait before buffered outcomes are written (default 50 ms). */
  recordIntervalMs?: number
  /** Most batches given batch-level work per tick (default 4). */
  batchesPerTick?: number
  /** Retry backoff: first delay and cap, in ms (defaults 1 s and 60 s). */
  backoff?: { baseMs?: number; maxMs?: number }
  /** Per-call timeout in ms (default 10 minutes). */
  requestTimeoutMs?: number
}

/** A file body received into storage but not yet a file (while the rest of a multipart form arrives). */
export interface ReceivedContent {
  readonly id: string
  readonly bytes: number
  /** Drops the content (when the upload turns out invalid). */
  discard(): Promise<void>
}

/** Fields of an upload besides its content; unvalidated, straight from the client. */
export interface UploadFields {
  filename: string
  purpose: string | undefined
  /** `expires_after[anchor]`, `expires_after[seconds]` as sent. */
  expiresAfter?: { anchor?: string; seconds?: string | number }
}

/** Query of `GET /files`, unvalidated. */
export interface FileListParams {
  purpose?: string
  limit?: number
  order?: 'asc' | 'desc'
  after?: string
}

/** The Files API. */
export interface FilesService {
  /** Streams a file body into storage (bounded memory). `purpose`, when already known, sets the size cap early. */
  receive(content: ReadableStream<Uint8Array>, purpose?: string): Promise<ReceivedContent>
  /** Validates the upload fields and turns received content into a file; discards the content on error. */
  create(scope: Scope, content: ReceivedContent, fields: UploadFields): Promise<FileObject>
  /** `receive` + `create` in one call. */
  upload(scope: Scope, content: ReadableStream<Uint8Array>, fields: UploadFields): Promise<FileObject>
  get(scope: Scope, id: string): Promise<FileObject>
  list(scope: Scope, params?: FileListParams): Promise<ListPage<FileObject>>
  delete(scope: Scope, id: string): Promise<FileDeleted>
  /** The file and a stream of its bytes. */
  content(scope: Scope, id: string): Promise<{ file: FileObject; body: ReadableStream<Uint8Array> }>
}

/** How the caller wants a batch run: which provider, with which key. */
export interface CreateBatchOptions {
  /** Provider name; the engine's only provider when omitted and there is exactly one. */
  provider?: string
  /** The provider key for this batch (sealed at rest). */
  credential?: string | null
  /** De-duplicates retried creates: the same key from the same owner returns the first batch. */
  idempotencyKey?: string
  /** Per-batch override of the provider's mode. */
  mode?: BatchMode
}

/** The Batches API. */
export interface BatchesService {
  /** Validates `body` (OpenAI's `CreateBatchRequest`, unvalidated JSON) and creates a batch in `validating`. */
  create(scope: Scope, body: unknown, options?: CreateBatchOptions): Promise<BatchObject>
  get(scope: Scope, id: string): Promise<BatchObject>
  list(scope: Scope, params?: { after?: string; limit?: number }): Promise<ListPage<BatchObject>>
  /** Moves a running batch to `cancelling`; a cancelled or cancelling batch is returned as is. */
  cancel(scope: Scope, id: string): Promise<BatchObject>
}

/** What one {@link Runner.tick} did. */
export interface TickReport {
  /** Batches that got batch-level work (validate, finalize, cancel, expire). */
  batches: number
  /** Lines that got an outcome (including retries scheduled). */
  lines: number
  /** True when work remains that could run right away. */
  more: boolean
  /**
   * When work is next due (epoch ms on the engine's clock): now while `more`; otherwise the earliest
   * batch wake-up (a deadline, a native poll, a lease that lapses) or line retry in the store; null when
   * nothing is scheduled. Alarm- and cron-driven hosts sleep until then (new work from a create or cancel
   * in this process is announced through {@link Runner.onWork}).
   */
  nextDueAt: number | null
}

/** Options of {@link Runner.tick}. */
export interface TickOptions {
  /** Stop claiming new work after this many ms (default 1000); in-flight lines always finish. */
  budgetMs?: number
  /** Stops the tick early (shutdown); in-flight lines finish and are recorded. */
  signal?: AbortSignal
}

/** Runs batches: batch-level steps and line execution, in bounded slices. */
export interface Runner {
  /** Does a bounded slice of work and reports whether more remains. */
  tick(options?: TickOptions): Promise<TickReport>
  /** Calls `listener` whenever new work appears in this process (e.g. a batch was created). */
  onWork(listener: () => void): () => void
}

/** The engine a router serves: Files and Batches services and the runner. */
export interface BatchEngine {
  readonly files: FilesService
  readonly batches: BatchesService
  readonly runner: Runner
  readonly clock: Clock
  readonly limits: Limits
  /** Configured providers by name. */
  readonly providers: ReadonlyMap<string, Provider>
  /** Webhook deliveries: list them by batch or event, replay an event. */
  readonly webhooks: WebhooksService
  /**
   * Tokens (and cost, with a price table) per owner, day, provider, model and mode, from the store's
   * usage rollup, summed by `groupBy`.
   *
   * @example
   * await engine.usage({ ownerId: scope.ownerId, from: Date.UTC(2026, 11, 1), to: Date.now(), groupBy: ['model'] })
   */
  usage(query: UsageQuery): Promise<UsageRow[]>
}
