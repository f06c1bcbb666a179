/** What every scenario gets from the harness. */
import type { Row } from './report.ts'

export interface ScenarioContext {
  /** A temporary directory shared by the run (input files are generated here once). */
  tmp: string
  /** Progress messages (stderr; stdout carries the result). */
  log(message: string): void
}

/** A scenario: measures itself and its ceiling, returns its table rows. */
export type Scenario = (ctx: ScenarioContext) => Promise<Row[]>

/** Best (smallest) of some timings: noise on a shared machine only ever adds time. */
export const best = (values: readonly number[]): number => Math.min(...values)
