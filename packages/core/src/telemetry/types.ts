import type { BatchMode, UsageTotals } from '../contracts/records.ts'
import type { BacklogEntry } from '../contracts/store.ts'
import type { BatchEndpoint, BatchStatus } from '../wire/batch.ts'

/**
 * Something started that ends later (a batch step, a provider call): {@link end} is called exactly once
 * with what happened. A tracing adapter returns its span here; a metrics adapter a start time.
 *
 * @example
 * const started = performance.now()
 * const observation: Observation<ProviderCallEnd> = { end: (result) => record(result, performance.now() - started) }
 */
export interface Observation<End> {
  /** The work ended; called once. */
  end(result: End): void
  /**
   * Runs the observed work with this observation as the current context, so instrumentation below it
   * (an HTTP client's spans, a database driver's) nests under it — e.g. OpenTelemetry's
   * `context.with(trace.setSpan(context.active(), span), work)`. Leave it out when there is no context.
   */
  within?<T>(work: () => T): T
}

/** The batch-level steps a leased batch goes through (see `stepFor` in the runner). */
export type BatchStepName = 'validate' | 'run' | 'finish' | 'native' | 'terminal'

/** A batch-level step starts on a batch leased by this process. */
export interface BatchStepStart {
  batchId: string
  step: BatchStepName
  /** The batch's status when the step starts. */
  status: BatchStatus
  mode: BatchMode
  provider: string
  /** This process's name in leases. */
  workerId: string
}

/** How a batch step ended. */
export interface BatchStepEnd {
  /**
   * The status the step moved the batch to (through the statuses between, as the state table has it);
   * absent when the step changed no status. A concurrent change (a client's cancel) may win the move.
   */
  transitionTo?: BatchStatus
  /** When the batch next needs a step (epoch ms), or null for never. */
  wakeAt: number | null
  /** True when the batch's next step runs now, under the same lease (e.g. `finalizing` right after `in_progress`). */
  continues: boolean
  /** What the step threw (then `wakeAt` is null: the runner hands the batch back, due again in a few seconds). */
  error?: unknown
}

/** A request line is sent to its provider (`Provider.execute`). */
export interface ProviderCallStart {
  provider: string
  batchId: string
  /** The line's `batch_req_…` id. */
  requestId: string
  customId: string
  endpoint: BatchEndpoint
  /** The line's `body.model`, when it is a string. */
  model?: string
  /** 1-based attempt number. */
  attempt: number
}

/** How a provider call ended, and what the runner decided for its line. */
export interface ProviderCallEnd {
  /** The line's outcome: `succeeded`/`failed` go to the output/error file; `retry` runs it again later. */
  outcome: 'succeeded' | 'failed' | 'retry'
  /** The HTTP status the provider answered; absent when there was no answer (network, timeout). */
  status?: number
  /** The error code when there was no HTTP answer (`request_failed`, `request_timeout`, …). */
  errorCode?: string
  /** The provider answered 429 (rate limited). */
  rateLimited: boolean
  /** For a retry: not claimable again before this time (epoch ms). */
  retryAt?: number
  /** For a retry: the request never left (e.g. the provider's pacer had no capacity in time); no attempt is used. */
  unsent: boolean
  /** Token usage the provider reported, for a success. */
  usage?: UsageTotals
}

/** Work claimed from the store. */
export interface ClaimEvent {
  kind: 'lines' | 'batches'
  /** For lines: the provider they run on (one claim per provider). */
  provider?: string
  /** How many were asked for. */
  requested: number
  /** How many the store handed out. */
  claimed: number
}

/**
 * Outcomes written to the store in one call (lines held by one lease: one provider). The counts by kind
 * are of the outcomes written; `dropped` of them were refused (the store does not say which).
 */
export interface RecordEvent {
  provider: string
  succeeded: number
  failed: number
  /** Retries scheduled (including the unsent ones). */
  retried: number
  /** Lines handed back without being sent (their attempt is given back). */
  unsent: number
  /**
   * Outcomes the store refused because the lease lapsed and the lines went to another worker: those
   * lines run again elsewhere (their calls were spent twice).
   */
  dropped: number
}

/** A lease this process held was lost. */
export interface LeaseLostEvent {
  /** `lines`: outcomes of a lapsed line lease were refused; `batch`: a batch step lost its batch lease. */
  kind: 'lines' | 'batch'
  /** For `lines`: their provider. */
  provider?: string
  /** For `batch`: the batch. */
  batchId?: string
  /** For `lines`: how many outcomes were refused. */
  lines: number
}

/** The store operations the runner retries until they succeed, reported when a failure streak starts or ends. */
export type StoreOperation = 'record' | 'renew' | 'load'

/**
 * A store failure streak started (`failing: true`, with the first error) or ended (`failing: false`,
 * with how long it lasted). Reported once per change, like the log lines of docs/operations.md.
 */
export interface StoreFaultEvent {
  /** `record`: writing outcomes; `renew`: renewing line leases; `load`: reading the batches of claimed lines. */
  operation: StoreOperation
  failing: boolean
  error?: unknown
  /** When the streak ended: how long it lasted, in ms. */
  failedForMs?: number
  /** When the streak ended: how many attempts failed. */
  attempts?: number
}

/** Lines this process holds for one provider. */
export interface HeldLines {
  provider: string
  /** Claimed and waiting for a free slot of the provider. */
  queued: number
  /** In flight: the provider call has started. */
  running: number
}

/** What an engine lets a telemetry read when it collects (gauges). */
export interface TelemetrySources {
  /** This process's name in leases. */
  workerId(): string
  /** Lines this process holds, per provider. Free: read from the runner's memory. */
  heldLines(): HeldLines[]
  /**
   * Running batches and their unfinished lines, per provider, across all processes: one store query
   * (`store.batches.backlog`, O(running batches) — it sums the batches' counters, never scans lines).
   * Null when the store does not implement it.
   */
  backlog(): Promise<BacklogEntry[] | null>
}

/**
 * Where an engine reports what its runner does, for metrics and traces (`@batchkit/otel` adapts it to
 * OpenTelemetry and to a Prometheus `/metrics`). Every method is optional and called synchronously on
 * the runner's path: keep them cheap, and never throw (a throw is caught and dropped). Without a
 * telemetry the engine does no work for it at all.
 *
 * @example
 * const telemetry: Telemetry = {
 *   providerCall(call) {
 *     const started = performance.now()
 *     return { end: (result) => console.log(call.provider, result.status, performance.now() - started) }
 *   },
 * }
 * createBatchEngine({ store, providers, telemetry })
 */
export interface Telemetry {
  /** Called once by `createBatchEngine`, with the gauges this engine offers. */
  attach?(sources: TelemetrySources): void
  /** A batch-level step starts; the returned observation ends with the step's decision. */
  batchStep?(step: BatchStepStart): Observation<BatchStepEnd> | undefined
  /** A line's provider call starts; the returned observation ends with the line's outcome. */
  providerCall?(call: ProviderCallStart): Observation<ProviderCallEnd> | undefined
  /** Lines or batches were claimed. */
  claimed?(claim: ClaimEvent): void
  /** Outcomes were written to the store. */
  recorded?(record: RecordEvent): void
  /** A lease was lost (also counted in `recorded.dropped` for lines). */
  leaseLost?(lost: LeaseLostEvent): void
  /** A store failure streak started or ended. */
  storeFault?(fault: StoreFaultEvent): void
}
