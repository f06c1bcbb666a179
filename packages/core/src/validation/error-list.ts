/** A capped list of validation errors. */
import type { BatchError } from '../wire/batch.ts'
import { lineError } from './line-error.ts'

/**
 * Collects validation errors, never more than `max` entries. It keeps `max - 1` errors; when one more is
 * found it appends a `too_many_errors` entry (line null) instead and reports that reading should stop.
 * With `max <= 1` it keeps the first error only, without a summary.
 */
export class ErrorList {
  readonly errors: BatchError[] = []
  private readonly max: number
  private readonly keep: number
  private stopped = false

  constructor(max: number) {
    this.max = Math.max(1, max)
    this.keep = Math.max(1, max - 1)
  }

  /** Records `error`; returns false when the cap was hit and reading should stop. */
  add(error: BatchError): boolean {
    if (this.stopped) return false
    if (this.errors.length < this.keep) {
      this.errors.push(error)
      return true
    }
    this.stopped = true
    if (this.errors.length < this.max) {
      const at = error.line === null ? '' : ` at line ${error.line}`
      this.errors.push(
        lineError(
          'too_many_errors',
          `Validation stopped${at} after ${this.keep} errors; further errors were not reported.`,
          null,
          null,
        ),
      )
    }
    return false
  }

  /** Records an error that ends reading (e.g. too many requests), if there is room for it. */
  addFinal(error: BatchError): void {
    if (!this.stopped && this.errors.length < this.max) this.errors.push(error)
    this.stopped = true
  }
}
