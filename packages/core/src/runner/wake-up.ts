import type { Clock } from '../clock.ts'

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
    return new Promise<void>((resolve) => {
      const timeout = new AbortController()
      const done = (): void => {
        if (this.#waiter === done) this.#waiter = null
        signal?.removeEventListener('abort', done)
        timeout.abort()
        resolve()
      }
      this.#waiter = done
      signal?.addEventListener('abort', done, { once: true })
      if (clock !== undefined && ms !== undefined && Number.isFinite(ms)) {
        void clock.sleep(ms, timeout.signal).then(() => {
          if (!timeout.signal.aborted) done()
        })
      }
    })
  }
}
