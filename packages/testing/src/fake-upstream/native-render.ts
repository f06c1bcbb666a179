import type { FakeBatch, FakeFile } from './native-store.ts'
import type { FakeBatchFlavor, FakeBatchStatus } from './native-types.ts'

const iso = (seconds: number | undefined | null): string | null =>
  seconds === undefined || seconds === null ? null : new Date(seconds * 1000).toISOString()

const pascal: Record<FakeBatchStatus, string> = {
  validating: 'Validating',
  failed: 'Failed',
  in_progress: 'InProgress',
  finalizing: 'Finalizing',
  completed: 'Completed',
  expired: 'Expired',
  cancelling: 'Cancelling',
  cancelled: 'Cancelled',
}

/** OpenAI's FileObject for a fake file. */
export function renderFile(file: FakeFile): Record<string, unknown> {
  return {
    id: file.id,
    object: 'file',
    bytes: file.content.length,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    status_details: null,
  }
}

/** Together's batch job. */
function renderTogether(batch: FakeBatch): Record<string, unknown> {
  const total = batch.lines.length
  const done = batch.output.length + batch.errorLines.length
  return {
    id: batch.id,
    user_id: 'user_fake',
    input_file_id: batch.inputFileId,
    file_size_bytes: 0,
    status: batch.status.toUpperCase(),
    job_deadline: iso(batch.expiresAt),
    created_at: iso(batch.createdAt),
    endpoint: batch.endpoint,
    progress: total === 0 ? 0 : Math.round((done / total) * 100),
    model_id: batch.model,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    error: batch.errors?.[0]?.message ?? null,
    completed_at: iso(
      batch.times.completed ?? batch.times.failed ?? batch.times.expired ?? batch.times.cancelled,
    ),
  }
}

/**
 * A fake batch as the flavour's API shows it: OpenAI's Batch object (Unix seconds, explicit nulls,
 * `request_counts`, `usage`), the same with `InProgress`-style statuses and ISO times (`azure-preview`),
 * or Together's job.
 *
 * @example
 * renderBatch(batch, 'openai') // { id, object: 'batch', status: 'in_progress', request_counts: {…}, … }
 */
export function renderBatch(batch: FakeBatch, flavor: FakeBatchFlavor): Record<string, unknown> {
  if (flavor === 'together') return renderTogether(batch)
  const time = flavor === 'azure-preview' ? iso : (s: number | undefined) => s ?? null
  return {
    id: batch.id,
    object: 'batch',
    endpoint: batch.endpoint,
    model: batch.model,
    errors: batch.errors ? { object: 'list', data: batch.errors } : null,
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    status: flavor === 'azure-preview' ? pascal[batch.status] : batch.status,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    created_at: flavor === 'azure-preview' ? iso(batch.createdAt) : batch.createdAt,
    in_progress_at: time(batch.times.in_progress),
    expires_at: flavor === 'azure-preview' ? iso(batch.expiresAt) : batch.expiresAt,
    finalizing_at: time(batch.times.finalizing),
    completed_at: time(batch.times.completed),
    failed_at: time(batch.times.failed),
    expired_at: time(batch.times.expired),
    cancelling_at: time(batch.times.cancelling),
    cancelled_at: time(batch.times.cancelled),
    request_counts: {
      total: batch.lines.length,
      completed: batch.output.length,
      failed: batch.errorLines.length,
    },
    usage: {
      input_tokens: batch.usage.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: batch.usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: batch.usage.input + batch.usage.output,
    },
    metadata: batch.metadata,
  }
}
