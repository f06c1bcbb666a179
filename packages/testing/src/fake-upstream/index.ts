/**
 * `@batchkit/testing/fake-upstream` — a fake OpenAI-compatible HTTP server for tests and benchmarks
 * (Node only; no vitest needed).
 *
 * @example
 * import { startFakeUpstream } from '@batchkit/testing/fake-upstream'
 * const upstream = await startFakeUpstream({ rpm: 600, seed: 1 })
 */
export type {
  FakeBatchControl,
  FakeBatchFlavor,
  FakeBatchStatus,
  FakeBatchView,
  FakeFileView,
  FakeNativeOptions,
} from './native-types.ts'
export type { QuantizedLimits } from './rate-limiter.ts'
export { startFakeUpstream } from './start.ts'
export type {
  FakeFailures,
  FakeFault,
  FakeUpstream,
  FakeUpstreamOptions,
  FakeUpstreamSettings,
  FakeUpstreamStats,
  RecordedCall,
} from './types.ts'
