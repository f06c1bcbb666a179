import type { Logger } from '../engine/types.ts'

/**
 * Logs a repeated failure once when it starts and once when it ends, instead of once per attempt: a
 * database outage retried every second must not flood the log.
 *
 * @example
 * const recording = new FaultLog(logger, 'recording outcomes')
 * try { await record(); recording.recovered() } catch (error) { recording.failed(error) }
 */
export class FaultLog {
  readonly #logger: Logger
  readonly #what: string
  #since: number | null = null
  #attempts = 0

  constructor(logger: Logger, what: string) {
    this.#logger = logger
    this.#what = what
  }

  /** True while the failure lasts. */
  get failing(): boolean {
    return this.#since !== null
  }

  /** An attempt failed: logs a warning when it is the first of a streak. */
  failed(error: unknown, fields: Record<string, unknown> = {}): void {
    this.#attempts++
    if (this.#since !== null) return
    this.#since = Date.now()
    this.#logger.warn?.(`${this.#what} failed; retrying until it succeeds`, { ...fields, error })
  }

  /** An attempt succeeded: logs once when it ends a streak of failures. */
  recovered(fields: Record<string, unknown> = {}): void {
    if (this.#since === null) return
    this.#logger.info?.(`${this.#what} succeeds again`, {
      ...fields,
      failedForMs: Date.now() - this.#since,
      attempts: this.#attempts,
    })
    this.#since = null
    this.#attempts = 0
  }
}
