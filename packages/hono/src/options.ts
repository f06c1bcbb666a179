import type { BatchEngine, Logger, Scope } from '@batchkit/core'
import type { Context } from 'hono'
import type { Authorize } from './auth.ts'

/** The provider a batch runs on and the key it runs with. */
export interface ProviderSelection {
  provider: string
  credential: string | null
}

/**
 * Options of {@link createBatchRouter}.
 *
 * @example
 * const options: BatchRouterOptions = { engine, providerHeader: 'x-llm-provider', logger: console }
 */
export interface BatchRouterOptions {
  /** The engine whose Files and Batches services the routes serve. */
  engine: BatchEngine
  /**
   * Tenant scope of a request. Default: `{ ownerId: hex(sha256(bearer token)) }`, 401 `missing_api_key`
   * without a bearer token. Return a `Response` to reject the request (it gets `x-request-id` added).
   */
  authorize?: Authorize
  /**
   * Picks the provider and its key server-side (e.g. from the tenant's settings) for `POST /batches`;
   * when given, `providerHeader` is ignored.
   */
  resolveProvider?: (c: Context, scope: Scope) => ProviderSelection | Promise<ProviderSelection>
  /**
   * Header naming the provider of a new batch (default `x-provider`); the bearer token is then the
   * provider key. Without the header: the engine's only provider when it has exactly one, else 400
   * `missing_required_parameter` naming the header.
   */
  providerHeader?: string
  /** Lets clients choose `emulated`/`native` per batch with header `x-batch-mode` (default false). */
  allowModeOverride?: boolean
  /**
   * Serves `GET /usage?start_time=&end_time=&group_by=` (default false): the caller's tenant's tokens,
   * requests and cost from `engine.usage()` (see docs/usage.md).
   */
  usageRoute?: boolean
  /** Receives one line per failed request (5xx at `error` with the cause, 4xx at `debug`); never headers. */
  logger?: Logger
}
