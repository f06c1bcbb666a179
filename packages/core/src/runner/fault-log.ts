import type { Logger } from '../engine/types.ts'
import type { StoreOperation, Telemetry } from '../telemetry/types.ts'

/** Where a {@link FaultLog} reports its state changes besides the log. */
export interface FaultReport {
  telemetry: Telemetry | undefined
  operation: StoreOperation
}

/**
 * Logs a repeated failure once when it starts and once when it ends, instead of once per attempt: a
 * database outage retried every second must not flood the log. The same two changes go to the
 * telemetry (`storeFault`), when there is one.
 *
 * @example
 * const recording = new FaultLog(logger, 'recording outcomes', { telemetry, operation: 'record' })
 * try { await record(); recording.recovered() } catch (error) { recording.failed(error) }
 */
export class FaultLog {
  readonly #logger: Logger
  readonly #what: string
  readonly #report: FaultReport | undefined
  #since: number | null = null
  #attempts = 0

  constructor(logger: Logger, what: string, report?: FaultReport) {
    this.#logger = logger
    this.#what = what
    this.#report = report
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
    const report = this.#report
    report?.telemetry?.storeFault?.({ operation: report.operation, failing: true, error })
  }

  /** An attempt succeeded: logs once when it ends a streak of failures. */
  recovered(fields: Record<string, unknown> = {}): void {
    if (this.#since === null) return
    const failedForMs = Date.now() - this.#since
    const attempts = this.#attempts
    this.#logger.info?.(`${this.#what} succeeds again`, { ...fields, failedForMs, attempts })
    this.#since = null
    this.#attempts = 0
    const report = this.#report
    report?.telemetry?.storeFault?.({ operation: report.operation, failing: false, failedForMs, attempts })
  }
}
