/**
 * `@batchkit/core/telemetry` — for authors of a telemetry adapter (metrics, traces): the `Telemetry`
 * contract an engine calls (`createBatchEngine({ telemetry })`), the events it reports, and
 * `combineTelemetry` to build one telemetry from several. `@batchkit/otel` implements it for
 * OpenTelemetry and Prometheus.
 *
 * @example
 * import type { Telemetry } from '@batchkit/core/telemetry'
 *
 * export const countCalls = (counts: Map<string, number>): Telemetry => ({
 *   providerCall(call) {
 *     return { end: (result) => counts.set(`${call.provider} ${result.outcome}`, (counts.get(`${call.provider} ${result.outcome}`) ?? 0) + 1) }
 *   },
 * })
 */
export type { BatchMode, UsageTotals } from '../contracts/records.ts'
export type { BacklogEntry } from '../contracts/store.ts'
export type { BatchEndpoint, BatchStatus } from '../wire/batch.ts'
export { combineTelemetry } from './resolve.ts'
export type {
  BatchStepEnd,
  BatchStepName,
  BatchStepStart,
  ClaimEvent,
  HeldLines,
  LeaseLostEvent,
  Observation,
  ProviderCallEnd,
  ProviderCallStart,
  RecordEvent,
  StoreFaultEvent,
  StoreOperation,
  Telemetry,
  TelemetrySources,
} from './types.ts'
