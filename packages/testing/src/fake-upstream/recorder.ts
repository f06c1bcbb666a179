import type { FakeFault, FakeUpstreamStats, RecordedCall } from './types.ts'

/** Calls, counters and per-key attempt numbers of one fake upstream. */
export interface Recorder {
  /** The recorded calls (cleared in place by `reset`). */
  readonly calls: RecordedCall[]
  /** 0-based number of this call among the calls with `key`. */
  attempt(key: string): number
  /** A call started / its response closed. */
  begin(): void
  end(): void
  record(call: RecordedCall): void
  stats(): FakeUpstreamStats
  reset(): void
}

interface KeyState {
  attempts: number
  successes: number
}

/**
 * Counts calls incrementally (so `stats()` is cheap) and keeps them in `calls` when `keep` is true.
 *
 * @example
 * const recorder = createRecorder(true)
 */
export function createRecorder(keep: boolean): Recorder {
  const calls: RecordedCall[] = []
  const keys = new Map<string, KeyState>()
  let byStatus: Record<string, number> = {}
  let byFault: Partial<Record<FakeFault, number>> = {}
  let total = 0
  let succeededKeys = 0
  let duplicateSuccesses = 0
  let inFlight = 0
  let maxInFlight = 0

  const keyState = (key: string): KeyState => {
    let state = keys.get(key)
    if (!state) {
      state = { attempts: 0, successes: 0 }
      keys.set(key, state)
    }
    return state
  }

  return {
    calls,
    attempt(key) {
      const state = keyState(key)
      return state.attempts++
    },
    begin() {
      inFlight++
      if (inFlight > maxInFlight) maxInFlight = inFlight
    },
    end() {
      inFlight = Math.max(0, inFlight - 1)
    },
    record(call) {
      total++
      byStatus[call.status] = (byStatus[call.status] ?? 0) + 1
      if (call.fault) byFault[call.fault] = (byFault[call.fault] ?? 0) + 1
      if (call.idempotencyKey !== null && call.status >= 200 && call.status < 300) {
        const state = keyState(call.idempotencyKey)
        if (state.successes === 0) succeededKeys++
        else duplicateSuccesses++
        state.successes++
      }
      if (keep) calls.push(call)
    },
    stats() {
      return {
        total,
        byStatus: { ...byStatus },
        byFault: { ...byFault },
        keys: keys.size,
        succeededKeys,
        duplicateSuccesses,
        inFlight,
        maxInFlight,
      }
    },
    reset() {
      calls.length = 0
      keys.clear()
      byStatus = {}
      byFault = {}
      total = 0
      succeededKeys = 0
      duplicateSuccesses = 0
      maxInFlight = inFlight
    },
  }
}
