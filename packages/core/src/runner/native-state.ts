import type { NativeBatchApi } from '../contracts/provider.ts'
import type { BatchRecord } from '../contracts/records.ts'
import { type BatchError, type BatchStatus, batchStatuses } from '../wire/batch.ts'

/**
 * What the runner keeps about a native batch, in the record's `providerState` (JSON). The provider's
 * own state sits in `provider`, opaque to batchkit.
 */
export type NativeRunState = {
  /** Provider state from `submit` checkpoints, `submit` and `poll` (null until the first one). */
  provider: Record<string, unknown> | null
  /** Validation passed with this many lines and this model (so a retried submit skips re-validating). */
  validated: { lines: number; model: string | null } | null
  /** Submit attempts that failed so far. */
  submitAttempts: number
  /** Polls since the provider status last changed (drives the poll backoff). */
  polls: number
  /** Provider calls that failed in a row (drives the failure backoff). */
  failures: number
  /** Provider status at the last successful poll. */
  status: BatchStatus | null
  /** Whether the provider has been asked to cancel. */
  cancelSent: boolean
  /** batchkit cancelled at the provider because the window closed (the batch ends `expired`). */
  expiring: boolean
}

/** The state of a batch that was never submitted. */
export const initialNativeState = (): NativeRunState => ({
  provider: null,
  validated: null,
  submitAttempts: 0,
  polls: 0,
  failures: 0,
  status: null,
  cancelSent: false,
  expiring: false,
})

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const count = (value: unknown): number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0
const isStatus = (value: unknown): value is BatchStatus =>
  typeof value === 'string' && (batchStatuses as readonly string[]).includes(value)

/**
 * Reads the runner state of a native batch from its record, tolerating missing or foreign fields.
 *
 * @example
 * const state = readNativeState(batch.providerState)
 */
export function readNativeState(raw: Record<string, unknown> | null): NativeRunState {
  const state = initialNativeState()
  if (!raw) return state
  if (isObject(raw.provider)) state.provider = raw.provider
  const validated = raw.validated
  if (isObject(validated) && typeof validated.lines === 'number') {
    state.validated = {
      lines: count(validated.lines),
      model: typeof validated.model === 'string' ? validated.model : null,
    }
  }
  state.submitAttempts = count(raw.submitAttempts)
  state.polls = count(raw.polls)
  state.failures = count(raw.failures)
  state.status = isStatus(raw.status) ? raw.status : null
  state.cancelSent = raw.cancelSent === true
  state.expiring = raw.expiring === true
  return state
}

/** Default poll cadence of native batches: 5 s, growing by half each unchanged poll, up to 60 s. */
export const defaultPollIntervalMs = { initial: 5_000, max: 60_000 } as const

/** How long after `expires_at` batchkit waits for a provider to expire a batch itself before cancelling it there. */
export const nativeExpiryGraceMs = 3_600_000

/** Most submit attempts before a batch fails for good. */
export const maxSubmitAttempts = 5

/** The poll cadence of `api`. */
export function pollIntervals(api: Pick<NativeBatchApi, 'pollIntervalMs'>): { initial: number; max: number } {
  const initial = api.pollIntervalMs?.initial ?? defaultPollIntervalMs.initial
  return { initial, max: Math.max(initial, api.pollIntervalMs?.max ?? defaultPollIntervalMs.max) }
}

/**
 * Delay before the next poll: the initial interval, ×1.5 for every poll that saw no status change,
 * capped at the maximum.
 *
 * @example
 * pollDelay({}, 0) // 5000
 * pollDelay({}, 9) // 60000
 */
export function pollDelay(api: Pick<NativeBatchApi, 'pollIntervalMs'>, polls: number): number {
  const { initial, max } = pollIntervals(api)
  return Math.round(Math.min(max, initial * 1.5 ** Math.min(polls, 40)))
}

/**
 * Delay after a failed provider call: the provider's `retryAfterMs` when it gave one, else the initial
 * interval doubled per failure in a row; always within [initial, max].
 *
 * @example
 * failureDelay({}, 3) // 40000
 */
export function failureDelay(
  api: Pick<NativeBatchApi, 'pollIntervalMs'>,
  failures: number,
  retryAfterMs?: number,
): number {
  const { initial, max } = pollIntervals(api)
  const backoff = initial * 2 ** Math.min(Math.max(0, failures - 1), 30)
  return Math.round(Math.min(max, Math.max(initial, retryAfterMs ?? backoff)))
}

/** A batch's runner state as the record wants it. */
export const stateRecord = (state: NativeRunState): BatchRecord['providerState'] => ({ ...state })

/** The batch-level errors of a submit the provider refused. */
export function submitErrors(code: string | undefined, message: string): BatchError[] {
  return [{ code: code ?? 'provider_error', message, param: null, line: null }]
}
