import { type BatchEngine, BatchkitError, type BatchMode, type Scope } from '@batchkit/core'
import type { Context } from 'hono'
import { bearerToken } from './auth.ts'
import type { BatchRouterOptions, ProviderSelection } from './options.ts'

/** Default header naming the provider of a new batch. */
export const defaultProviderHeader = 'x-provider'

/** Header a client may use to choose `emulated`/`native` per batch when `allowModeOverride` is on. */
export const batchModeHeader = 'x-batch-mode'

/**
 * Chooses the provider and key of a new batch: `resolveProvider` when the host gave one; otherwise the
 * provider named by the provider header (the engine's only provider when absent and there is exactly
 * one) with the bearer token as its key. Unknown names are passed on: the engine rejects them.
 *
 * @example
 * const { provider, credential } = await selectProvider(c, c.var.scope, options)
 */
export async function selectProvider(
  c: Context,
  scope: Scope,
  options: Pick<BatchRouterOptions, 'engine' | 'resolveProvider' | 'providerHeader'>,
): Promise<ProviderSelection> {
  if (options.resolveProvider) return options.resolveProvider(c, scope)
  const header = options.providerHeader ?? defaultProviderHeader
  const named = c.req.raw.headers.get(header)?.trim()
  const credential = bearerToken(c.req.raw.headers)
  if (named) return { provider: named, credential }
  const only = onlyProvider(options.engine)
  if (only !== undefined) return { provider: only, credential }
  const names = [...options.engine.providers.keys()].map((name) => `'${name}'`).join(', ')
  throw new BatchkitError(
    'missing_required_parameter',
    `Missing required header: '${header}'. Name the provider to run this batch on${names ? ` (one of ${names})` : ''}.`,
    { param: header },
  )
}

/** The name of the engine's provider when it has exactly one. */
function onlyProvider(engine: BatchEngine): string | undefined {
  if (engine.providers.size !== 1) return undefined
  const [name] = engine.providers.keys()
  return name
}

/**
 * The per-batch mode override of header `x-batch-mode`: `undefined` when absent; 400 when the value is
 * not `emulated`/`native` or when the router does not allow overrides.
 *
 * @example
 * const mode = batchModeOverride(c.req.raw.headers, options.allowModeOverride ?? false)
 */
export function batchModeOverride(headers: Headers, allowed: boolean): BatchMode | undefined {
  const value = headers.get(batchModeHeader)?.trim()
  if (value === undefined || value === '') return undefined
  if (!allowed) {
    throw new BatchkitError('invalid_request', `Header '${batchModeHeader}' is not enabled on this server.`, {
      param: batchModeHeader,
    })
  }
  if (value !== 'emulated' && value !== 'native') {
    throw new BatchkitError(
      'invalid_value',
      `Invalid value for header '${batchModeHeader}': '${value.slice(0, 64)}'. Supported values are: 'emulated', 'native'.`,
      { param: batchModeHeader },
    )
  }
  return value
}
