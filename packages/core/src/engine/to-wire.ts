import { toUnixSeconds } from '../clock.ts'
import type { BatchRecord, FileRecord, UsageTotals } from '../contracts/records.ts'
import type { BatchObject, BatchUsage } from '../wire/batch.ts'
import type { FileObject } from '../wire/file.ts'

const seconds = (ms: number | null): number | null => (ms === null ? null : toUnixSeconds(ms))

/** A stored file as OpenAI's `FileObject`. */
export function fileToWire(file: FileRecord): FileObject {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: toUnixSeconds(file.createdAt),
    expires_at: seconds(file.expiresAt),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    status_details: null,
  }
}

/** Usage counters in OpenAI's `usage` shape. */
export function usageToWire(usage: UsageTotals): BatchUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  }
}

/** A stored batch as OpenAI's Batch object: Unix seconds, explicit nulls, plus the `batchkit` extension. */
export function batchToWire(batch: BatchRecord): BatchObject {
  return {
    id: batch.id,
    object: 'batch',
    endpoint: batch.endpoint,
    model: batch.model,
    errors: batch.errors === null ? null : { object: 'list', data: batch.errors },
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    status: batch.status,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    created_at: toUnixSeconds(batch.createdAt),
    in_progress_at: seconds(batch.inProgressAt),
    expires_at: toUnixSeconds(batch.expiresAt),
    finalizing_at: seconds(batch.finalizingAt),
    completed_at: seconds(batch.completedAt),
    failed_at: seconds(batch.failedAt),
    expired_at: seconds(batch.expiredAt),
    cancelling_at: seconds(batch.cancellingAt),
    cancelled_at: seconds(batch.cancelledAt),
    request_counts: { ...batch.requestCounts },
    usage: usageToWire(batch.usage),
    metadata: batch.metadata === null ? null : { ...batch.metadata },
    batchkit: { provider: batch.provider, mode: batch.mode, provider_batch_id: batch.providerBatchId },
  }
}
