/**
 * Waits `ms` milliseconds with `setTimeout`, or until `signal` aborts (then it resolves early).
 *
 * @example
 * await timerSleep(50, AbortSignal.timeout(1000))
 */
export function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
