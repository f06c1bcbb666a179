/**
 * `@batchkit/provider-mock` — a deterministic simulated model for demos and tests.
 *
 * @example
 * import { mockProvider } from '@batchkit/provider-mock'
 * const provider = mockProvider({ latencyMs: 20, rateLimitRate: 0.1, seed: 7 })
 */
export type { OpenAIErrorBody } from './errors.ts'
export { openaiError } from './errors.ts'
export type { FaultRates, MockFault } from './faults.ts'
export { rollFault } from './faults.ts'
export { mockProvider } from './mock-provider.ts'
export type { MockProviderOptions } from './options.ts'
export { hash32, unitInterval } from './random.ts'
export * from './simulate/index.ts'
export { timerSleep } from './sleep.ts'
