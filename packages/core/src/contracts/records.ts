import type { BatchEndpoint, BatchError, BatchStatus, RequestCounts } from '../wire/batch.ts'
import type { FilePurpose } from '../wire/file.ts'

/** A stored file. Times are epoch milliseconds; the wire layer converts to Unix seconds. */
export interface FileRecord {
  id: string
  ownerId: string
  filename: string
  purpose: FilePurpose
  bytes: number
  createdAt: number
  /** When the file stops being served, or null for never. */
  expiresAt: number | null
}

/** Token totals of a batch, kept as flat counters so stores can add to them in place. */
export interface UsageTotals {
  inputTokens: number
  cachedTokens: number
  outputTokens: number
  reasoningTokens: number
  totalTokens: number
}

/** How a batch runs: emulated by batchkit's runner, or by the provider's own batch API. */
export type BatchMode = 'emulated' | 'native'

/** Why a batch in `finalizing` is finishing: all lines ran, or its window ran out. */
export type EndReason = 'completed' | 'expired'

/** A stored batch. Times are epoch milliseconds, null until set. */
export interface BatchRecord {
  id: string
  ownerId: string
  status: BatchStatus
  endpoint: BatchEndpoint
  inputFileId: string
  completionWindow: string
  model: string | null
  errors: BatchError[] | null
  outputFileId: string | null
  errorFileId: string | null
  createdAt: number
  inProgressAt: number | null
  expiresAt: number
  finalizingAt: number | null
  completedAt: number | null
  failedAt: number | null
  expiredAt: number | null
  cancellingAt: number | null
  cancelledAt: number | null
  requestCounts: RequestCounts
  usage: UsageTotals
  metadata: Record<string, string> | null
  /** `output_expires_after.seconds`, applied to the output and error files. */
  outputExpiresAfter: number | null
  /** Name of the provider that runs this batch. */
  provider: string
  mode: BatchMode
  /** The provider's own batch id (native mode). Never used as a client-visible id. */
  providerBatchId: string | null
  /** Provider-specific state of a native batch (JSON-serialisable). */
  providerState: Record<string, unknown> | null
  /** The provider key, sealed with the host secret; null when none is needed or after the batch ended. */
  credential: string | null
  /** Set on entering `finalizing`: the terminal status the batch finishes in. */
  endReason: EndReason | null
  /** Client-supplied `Idempotency-Key` of the create call, unique per owner. */
  idempotencyKey: string | null
  /** When batch-level work (validate, finalize, cancel, expire, poll) is next due; null for never. */
  wakeAt: number | null
}

/**
 * Fields a transition or update may set. Status moves only through `transition`. Emulated batches never
 * set `requestCounts`/`usage` (the request store adds to them); native batches copy the provider's.
 */
export type BatchPatch = Partial<
  Omit<BatchRecord, 'id' | 'ownerId' | 'status' | 'createdAt' | 'idempotencyKey'>
> & {
  /** Sets `request_counts.total` (at the end of validation). */
  total?: number
}

/** One validated input line, as stored for execution. The body stays in the input file. */
export interface RequestItem {
  /** 1-based line number in the input file. */
  index: number
  /** The `batch_req_…` id the output or error line will carry. */
  id: string
  customId: string
  /** Byte offset of the line in the input file. */
  offset: number
  /** Byte length of the line, without its line break. */
  length: number
}

/** A request line handed to a worker under a lease. */
export interface ClaimedRequest extends RequestItem {
  batchId: string
  /** Owner of the batch, so the worker can read its input file within the right scope. */
  ownerId: string
  /** Attempts so far, including the one this claim starts. */
  attempts: number
  /**
   * The line's bytes (`[offset, offset + length)` of the input file), when the store read them along
   * with the claim (a database store can, in the same round trip). Exactly those bytes when present;
   * when absent, the runner reads the line's range from the file store itself.
   */
  input?: Uint8Array
}

/** Work leased to one worker: only the holder of `token` may record outcomes for these lines. */
export interface RequestLease {
  token: string
  /** When the lease lapses unless renewed (store clock). */
  expiresAt: number
  requests: ClaimedRequest[]
}

/** The outcome of one leased line. */
export type RequestOutcome =
  | {
      batchId: string
      index: number
      /** `succeeded` lines go to the output file, `failed` lines to the error file. */
      kind: 'succeeded' | 'failed'
      /** The complete output/error file line (JSON text, no line break). */
      line: string
      usage?: UsageTotals
      /**
       * The model that answered (the response body's `model`, else the request's): the key of the
       * line's usage in the usage rollup. The batch's model when absent.
       */
      model?: string
    }
  | {
      batchId: string
      index: number
      kind: 'retry'
      /** Not claimable again before this time. */
      notBefore: number
      /** The line was not run (handed back unsent): the store gives back the attempt its claim counted. */
      unsent?: true
    }

/** A batch leased to one worker for batch-level work. */
export interface BatchLease {
  token: string
  expiresAt: number
  batch: BatchRecord
}
