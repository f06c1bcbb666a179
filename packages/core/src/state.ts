import type { BatchStatus } from './wire/batch.ts'

/**
 * The batch state machine. OpenAI publishes no diagram; this one follows its status descriptions and
 * per-status timestamps. Expiry passes through `finalizing` (OpenAI lists `finalizing → expired`) so
 * output and error files exist before the terminal status is visible.
 */
export const transitions: Readonly<Record<BatchStatus, readonly BatchStatus[]>> = {
  validating: ['in_progress', 'failed', 'cancelling', 'expired'],
  in_progress: ['finalizing', 'cancelling'],
  finalizing: ['completed', 'expired', 'cancelling'],
  cancelling: ['cancelled'],
  failed: [],
  completed: [],
  expired: [],
  cancelled: [],
}

/** Statuses a batch never leaves. */
export const terminalStatuses: readonly BatchStatus[] = ['failed', 'completed', 'expired', 'cancelled']

/** Statuses from which `POST /batches/:id/cancel` moves a batch to `cancelling`. */
export const cancellableStatuses: readonly BatchStatus[] = ['validating', 'in_progress', 'finalizing']

/** True when `status` is terminal. */
export function isTerminal(status: BatchStatus): boolean {
  return terminalStatuses.includes(status)
}

/** True when the state machine allows `from → to`. */
export function canTransition(from: BatchStatus, to: BatchStatus): boolean {
  return transitions[from].includes(to)
}

/** The timestamp field each status stamps when a batch enters it. */
export const statusTimestamp = {
  validating: 'createdAt',
  in_progress: 'inProgressAt',
  finalizing: 'finalizingAt',
  completed: 'completedAt',
  failed: 'failedAt',
  expired: 'expiredAt',
  cancelling: 'cancellingAt',
  cancelled: 'cancelledAt',
} as const satisfies Record<BatchStatus, string>

/** Statuses that may move into `to`, derived from {@link transitions}. */
export function sourcesOf(to: BatchStatus): BatchStatus[] {
  return (Object.keys(transitions) as BatchStatus[]).filter((from) => transitions[from].includes(to))
}
