import type { BatchError, NativeBatchSnapshot, NativeBatchTimes, UsageTotals } from '@batchkit/core/provider'
import { mapBatchStatus, toEpochMs } from './status-map.ts'

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined

/** The batch object inside an answer: Together's create wraps it as `{ job, warning }`. */
export function unwrapBatch(answer: unknown): Json {
  if (isObject(answer) && isObject(answer.job)) return answer.job
  return isObject(answer) ? answer : {}
}

function usageOf(raw: unknown): UsageTotals | undefined {
  if (!isObject(raw)) return undefined
  const input = int(raw.input_tokens ?? raw.prompt_tokens) ?? 0
  const output = int(raw.output_tokens ?? raw.completion_tokens) ?? 0
  const inputDetails = isObject(raw.input_tokens_details) ? raw.input_tokens_details : {}
  const outputDetails = isObject(raw.output_tokens_details) ? raw.output_tokens_details : {}
  return {
    inputTokens: input,
    cachedTokens: int(inputDetails.cached_tokens) ?? 0,
    outputTokens: output,
    reasoningTokens: int(outputDetails.reasoning_tokens) ?? 0,
    totalTokens: int(raw.total_tokens) ?? input + output,
  }
}

function errorsOf(batch: Json): BatchError[] | undefined {
  const list = isObject(batch.errors) ? batch.errors.data : batch.errors
  if (Array.isArray(list) && list.length > 0) {
    return list.filter(isObject).map((e) => ({
      code: str(e.code) ?? 'provider_failed',
      message: str(e.message) ?? 'The provider failed the batch.',
      param: str(e.param) ?? null,
      line: int(e.line) ?? null,
    }))
  }
  const single = batch.error
  if (typeof single === 'string' && single !== '') {
    return [{ code: 'provider_failed', message: single, param: null, line: null }]
  }
  if (isObject(single) && str(single.message)) {
    return [
      {
        code: str(single.code) ?? 'provider_failed',
        message: str(single.message) ?? '',
        param: null,
        line: null,
      },
    ]
  }
  return undefined
}

const timeFields = {
  inProgressAt: 'in_progress_at',
  finalizingAt: 'finalizing_at',
  completedAt: 'completed_at',
  failedAt: 'failed_at',
  expiredAt: 'expired_at',
  cancellingAt: 'cancelling_at',
  cancelledAt: 'cancelled_at',
} as const

/**
 * A provider batch (OpenAI, Azure — capitalised statuses and ISO timestamps of old previews included —,
 * Groq, Together's job) as batchkit's {@link NativeBatchSnapshot}: status in OpenAI's enum, counts,
 * usage, result file ids, errors and times in epoch ms. An unknown status reads as `in_progress`, so
 * batchkit keeps polling rather than ending the batch.
 *
 * @example
 * toSnapshot({ id: 'batch_1', status: 'Completed', output_file_id: 'file-9', request_counts: { total: 2, completed: 2, failed: 0 } })
 * // { status: 'completed', providerStatus: 'Completed', counts: { total: 2, completed: 2, failed: 0 }, outputFileId: 'file-9', … }
 */
export function toSnapshot(answer: unknown): NativeBatchSnapshot {
  const batch = unwrapBatch(answer)
  const providerStatus = typeof batch.status === 'string' ? batch.status : 'unknown'
  const snapshot: NativeBatchSnapshot = {
    status: mapBatchStatus(batch.status) ?? 'in_progress',
    providerStatus,
  }
  const counts = isObject(batch.request_counts) ? batch.request_counts : undefined
  if (counts) {
    snapshot.counts = {
      total: int(counts.total) ?? 0,
      completed: int(counts.completed) ?? 0,
      failed: int(counts.failed) ?? 0,
    }
  }
  const usage = usageOf(batch.usage)
  if (usage) snapshot.usage = usage
  const model = str(batch.model) ?? str(batch.model_id)
  if (model) snapshot.model = model
  snapshot.outputFileId = str(batch.output_file_id) ?? null
  snapshot.errorFileId = str(batch.error_file_id) ?? null
  const errors = errorsOf(batch)
  if (errors) snapshot.errors = errors
  const times: NativeBatchTimes = {}
  for (const [field, key] of Object.entries(timeFields) as [keyof NativeBatchTimes, string][]) {
    const at = toEpochMs(batch[key])
    if (at !== undefined) times[field] = at
  }
  if (Object.keys(times).length > 0) snapshot.times = times
  return snapshot
}
