import { type Clock, systemClock } from '../clock.ts'
import { type CredentialSealer, credentialSealer } from '../crypto.ts'
import { withDefaults } from '../defaults.ts'
import { randomHex } from '../ids.ts'
import { defaultLimits, type Limits } from '../limits.ts'
import { resolveTelemetry } from '../telemetry/resolve.ts'
import type { Telemetry } from '../telemetry/types.ts'
import { type ResolvedWebhookOptions, resolveWebhookOptions } from '../webhooks/options.ts'
import type { BatchEngineOptions, EngineHooks, Logger, RunnerOptions } from './types.ts'

/** Runner tuning with every default filled in. */
export type ResolvedRunnerOptions = Required<Omit<RunnerOptions, 'backoff'>> & {
  backoff: { baseMs: number; maxMs: number }
}

/** Default runner tuning. */
export const defaultRunnerOptions: ResolvedRunnerOptions = {
  leaseMs: 60_000,
  claimBatchSize: 256,
  recordBatchSize: 256,
  recordIntervalMs: 50,
  batchesPerTick: 4,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  requestTimeoutMs: 600_000,
}

/** An engine's options with every default applied: the one place defaults are decided. */
export interface EngineSettings {
  clock: Clock
  limits: Limits
  logger: Logger
  hooks: EngineHooks
  /** The engine's telemetry, combined and guarded; undefined when there is none. */
  telemetry: Telemetry | undefined
  runner: ResolvedRunnerOptions
  /** Webhook settings with their defaults; undefined when webhooks are off. */
  webhooks: ResolvedWebhookOptions | undefined
  sealer: CredentialSealer
  /** This process's name in leases (random unless given; drawn on first use). */
  workerId(): string
}

/**
 * Applies the defaults to engine options. Does nothing random or cryptographic now (Cloudflare Workers
 * forbid both at global scope): a random worker id and per-process secret are drawn on first use.
 *
 * @example
 * const settings = resolveSettings({ store, providers, limits: { maxLineBytes: undefined } })
 * settings.limits.maxLineBytes // 16 MiB: an explicit undefined keeps the default
 */
export function resolveSettings(options: BatchEngineOptions): EngineSettings {
  const logger = options.logger ?? {}
  const secrets =
    options.secret === undefined
      ? []
      : typeof options.secret === 'string'
        ? [options.secret]
        : [...options.secret]
  if (secrets.length === 0) {
    logger.warn?.(
      'no secret configured: provider keys are sealed with a per-process key and cannot survive a restart',
    )
  }
  let workerId = options.workerId
  return {
    clock: options.clock ?? systemClock,
    limits: withDefaults(defaultLimits, options.limits),
    logger,
    hooks: options.hooks ?? {},
    telemetry: resolveTelemetry(options.telemetry, logger),
    runner: {
      ...withDefaults(defaultRunnerOptions, { ...options.runner, backoff: undefined }),
      backoff: withDefaults(defaultRunnerOptions.backoff, options.runner?.backoff),
    },
    webhooks: resolveWebhookOptions(options.webhooks),
    sealer: secrets.length > 0 ? credentialSealer(secrets) : perProcessSealer(),
    workerId: () => {
      workerId ??= `worker-${randomHex(6)}`
      return workerId
    },
  }
}

/** A sealer under a random secret of this process, drawn on first use. */
function perProcessSealer(): CredentialSealer {
  let sealer: CredentialSealer | null = null
  const get = (): CredentialSealer => {
    sealer ??= credentialSealer(randomHex(32))
    return sealer
  }
  return {
    seal: (plaintext, context) => get().seal(plaintext, context),
    open: (sealed, context) => get().open(sealed, context),
  }
}
