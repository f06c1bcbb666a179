import type { Provider } from '../contracts/provider.ts'
import { BatchkitError } from '../errors.ts'

/** Indexes providers by name, rejecting duplicates and empty names. */
export function providerRegistry(providers: readonly Provider[]): ReadonlyMap<string, Provider> {
  const map = new Map<string, Provider>()
  for (const provider of providers) {
    if (!provider.name) throw new Error('batchkit: every provider needs a name.')
    if (map.has(provider.name)) throw new Error(`batchkit: two providers are named '${provider.name}'.`)
    map.set(provider.name, provider)
  }
  return map
}

/** The provider a batch runs on: the named one, or the only one when none is named. */
export function resolveProvider(registry: ReadonlyMap<string, Provider>, name: string | undefined): Provider {
  const names = [...registry.keys()]
  if (name === undefined || name === '') {
    if (registry.size === 1) return registry.values().next().value as Provider
    throw new BatchkitError(
      'missing_required_parameter',
      `Name the provider to run this batch on (configured: ${names.join(', ') || 'none'}).`,
      { param: 'provider' },
    )
  }
  const provider = registry.get(name)
  if (!provider) {
    throw new BatchkitError(
      'unknown_provider',
      `Unknown provider '${name}'. Configured providers: ${names.join(', ') || 'none'}.`,
      { param: 'provider' },
    )
  }
  return provider
}
