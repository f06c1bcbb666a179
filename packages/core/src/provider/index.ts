/**
 * `@batchkit/core/provider` — for authors of a `Provider`: the emulated (`execute`) and native
 * (`NativeBatchApi`) contracts with the types they exchange, the token bucket behind rate-limit
 * pacing, and the deterministic hash simulations use.
 *
 * @example
 * import type { ExecuteRequest, ExecuteResult, Provider } from '@batchkit/core/provider'
 *
 * const echo: Provider = {
 *   name: 'echo',
 *   credential: 'none',
 *   async execute(request: ExecuteRequest): Promise<ExecuteResult> {
 *     return { type: 'response', status: 200, body: { echo: request.body } }
 *   },
 * }
 */

export { defaultMaxResponseBytes, readBoundedText } from '../bounded-text.ts'
export type { Clock } from '../clock.ts'
export type {
  ExecuteRequest,
  ExecuteResult,
  NativeBatchApi,
  NativeBatchContext,
  NativeBatchSnapshot,
  NativeBatchTimes,
  NativeCallContext,
  NativeCallFailure,
  NativeInputFile,
  NativeSubmitContext,
  NativeSubmitResult,
  Provider,
} from '../contracts/provider.ts'
export type { BatchMode, UsageTotals } from '../contracts/records.ts'
export { type Overrides, withDefaults } from '../defaults.ts'
export {
  InternalError,
  isInternalError,
  type ProviderCallDetails,
  ProviderCallError,
} from '../internal-error.ts'
export type { BatchEndpoint, BatchError, BatchStatus, RequestCounts } from '../wire/batch.ts'
export { hash32, unitInterval } from './hash.ts'
export { TokenBucket } from './token-bucket.ts'
