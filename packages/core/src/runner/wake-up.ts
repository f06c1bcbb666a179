import type { Clock } from '../clock.ts'

/** The reason a wait's timer is aborted with once the wait is over. */
const settled = 'settled'

/**
 * A level-triggered wake-up, the one mechanism the runner, the line executor and the Node loop wait
 * with: {@link notify} wakes the waiter, or, when nobody waits, makes the next wait return at once, so
 * a notification that arrives while its receiver is busy is never lost.
 *
 * @example
 * const work = new WakeUp()
 * store.onSomething(() => work.notify())
 * await work.wait(clock, 1_000) // a notification, or a second
 */
export class WakeUp {
  #pending = false
  #waiter: (() => void) | null = null

  /** Wakes the current waiter, or the next one. */
  notify(): void {
    const waiter = this.#waiter
    this.#waiter = null
    if (waiter) waiter()
    else this.#pending = true
  }

  /** True (and cleared) when a notification arrived since the last wait. */
  take(): boolean {
    const pending = this.#pending
    this.#pending = false
    return pending
  }

  /**
   * Resolves on the next notification (or at once for one that is pending); with `ms`, after that long
   * on `clock` at the latest; early when `signal` aborts. One waiter at a time.
   */
  wait(clock?: Clock, ms?: number, signal?: AbortSignal): Promise<void> {
    if (this.take() || signal?.aborted) return Promise.resolve()
    // A timer only when asked for: waits without one (one per finished line in the executor) stay cheap.
    const timed = clock !== undefined && ms !== undefined && Number.isFinite(ms)
    const timeout = timed ? new AbortController() : null
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (this.#waiter === done) this.#waiter = null
        signal?.removeEventListener('abort', done)
        // A plain reason: aborting without one builds a DOMException.
        timeout?.abort(settled)
        resolve()
      }
      this.#waiter = done
      signal?.addEventListener('abort', done, { once: true })
      if (timeout) {
        void clock!.sleep(ms!, timeout.signal).then(() => {
          if (!timeout.signal.aborted) done()
        })
      }
    })
  }
}
