import type { BatchStatus } from '@batchkit/core/provider'

/** Provider batch statuses (normalised: lower case, `_` separated, prefixes dropped) → OpenAI's enum. */
const statusMap: Record<string, BatchStatus> = {
  validating: 'validating',
  queued: 'validating',
  pending: 'validating',
  created: 'validating',
  creating: 'validating',
  submitted: 'validating',
  scheduled: 'validating',
  in_progress: 'in_progress',
  inprogress: 'in_progress',
  running: 'in_progress',
  processing: 'in_progress',
  finalizing: 'finalizing',
  writing_results: 'finalizing',
  completed: 'completed',
  succeeded: 'completed',
  success: 'completed',
  failed: 'failed',
  expired: 'expired',
  timeout_exceeded: 'expired',
  cancelling: 'cancelling',
  canceling: 'cancelling',
  cancellation_requested: 'cancelling',
  stopping: 'cancelling',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  stopped: 'cancelled',
}

/**
 * A provider's batch status as OpenAI's enum: OpenAI and Groq as is, Azure's capitalised `Validating`,
 * Together's `IN_PROGRESS`, `JOB_STATE_*`/`BATCH_STATE_*` prefixes, `canceled` spellings. Undefined for
 * a status it does not know.
 *
 * @example
 * mapBatchStatus('InProgress')  // 'in_progress'
 * mapBatchStatus('CANCELLED')   // 'cancelled'
 */
export function mapBatchStatus(raw: unknown): BatchStatus | undefined {
  if (typeof raw !== 'string') return undefined
  const key = raw
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace(/^(job_state_|batch_state_)/, '')
  return statusMap[key]
}

/**
 * A provider timestamp as epoch ms: Unix seconds (OpenAI), epoch ms (numbers past 10¹²), or an ISO-8601
 * string (Azure's old previews, Together). Undefined for null or anything unreadable.
 *
 * @example
 * toEpochMs(1_714_000_000)            // 1714000000000
 * toEpochMs('2024-01-15T14:30:00Z')   // 1705329000000
 */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return value > 1e12 ? Math.round(value) : Math.round(value * 1000)
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined
  if (/^\d+(?:\.\d+)?$/.test(value.trim())) return toEpochMs(Number(value))
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : ms
}
