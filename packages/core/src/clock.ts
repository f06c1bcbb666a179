/** A source of time. Injected everywhere time matters, so expiry and leases are testable without waiting. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Resolves after `ms` milliseconds of this clock's time, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve()
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
    }),
}

/** A clock shifted by a settable offset from the wall clock; `advance` jumps forward (e.g. past a 24 h window). */
export interface OffsetClock extends Clock {
  /** Moves this clock forward by `ms`. */
  advance(ms: number): void
}

/**
 * A clock that runs with real time but can be jumped forward, for tests and demos of expiry.
 *
 * @example
 * const clock = offsetClock()
 * clock.advance(25 * 3600_000) // a day later
 */
export function offsetClock(startOffsetMs = 0): OffsetClock {
  let offset = startOffsetMs
  return {
    now: () => Date.now() + offset,
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
    advance(ms) {
      offset += ms
    },
  }
}

/** Unix seconds of a millisecond timestamp, as the wire format wants them. */
export function toUnixSeconds(ms: number): number {
  return Math.floor(ms / 1000)
}
