/**
 * `@batchkit/testing/fake-anthropic` — a fake Anthropic Messages API for tests (Node only; no vitest
 * needed).
 *
 * @example
 * import { startFakeAnthropic } from '@batchkit/testing/fake-anthropic'
 * const upstream = await startFakeAnthropic({ faults: [{ status: 529 }] })
 */
export type { FakeMessageBatch, FakeMessageBatches } from './batches.ts'
export { startFakeAnthropic } from './start.ts'
export type { FakeAnthropic, FakeAnthropicCall, FakeAnthropicFault, FakeAnthropicOptions } from './types.ts'
