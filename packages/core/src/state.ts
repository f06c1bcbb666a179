import type { BatchStatus } from './wire/batch.ts'

/**
 * The batch state machine, enforced by the runner: every status change is one of these moves. OpenAI
 * publishes no diagram; this one follows its status descriptions and per-status timestamps. Expiry
 * passes through `finalizing` (OpenAI lists `finalizing → expired`) so output and error files exist
 * before the terminal status is visible. `in_progress`/`finalizing → failed` only happen in native mode,
 * when the provider fails a batch it had started.
 */
export const transitions: Readonly<Record<BatchStatus, readonly BatchStatus[]>> = {
  validating: ['in_progress', 'failed', 'cancelling', 'expired'],
  in_progress: ['finalizing', 'cancelling', 'failed'],
  finalizing: ['completed', 'expired', 'cancelling', 'failed'],
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

/**
 * The statuses a batch passes through to get from `from` to `to` along the fewest moves of
 * {@link transitions}, `to` included (empty when they are the same); null when `to` cannot be reached.
 *
 * @example
 * pathBetween('validating', 'completed') // ['in_progress', 'finalizing', 'completed']
 * pathBetween('in_progress', 'cancelled') // ['cancelling', 'cancelled']
 */
export function pathBetween(from: BatchStatus, to: BatchStatus): BatchStatus[] | null {
  if (from === to) return []
  const previous = new Map<BatchStatus, BatchStatus>()
  const queue: BatchStatus[] = [from]
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!
    for (const next of transitions[at]) {
      if (next === from || previous.has(next)) continue
      previous.set(next, at)
      if (next === to) {
        const path: BatchStatus[] = [to]
        for (let step = at; step !== from; step = previous.get(step)!) path.unshift(step)
        return path
      }
      queue.push(next)
    }
  }
  return null
}
