/**
 * `@batchkit/provider-mock` — a deterministic simulated model for demos and tests.
 *
 * @example
 * import { mockProvider } from '@batchkit/provider-mock'
 * const provider = mockProvider({ latencyMs: 20, rateLimitRate: 0.1, seed: 7 })
 */
export { mockProvider } from './mock-provider.ts'
export type { MockProviderOptions } from './options.ts'
export { type SimulatedResponse, type SimulateOptions, simulateResponse } from './simulate/index.ts'
