import type { Clock } from '../clock.ts'
import type { Provider } from '../contracts/provider.ts'
import type { Store } from '../contracts/store.ts'
import type { CredentialSealer } from '../crypto.ts'
import type { ResolvedRunnerOptions } from '../engine/settings.ts'
import type { EngineHooks, Logger } from '../engine/types.ts'
import type { Limits } from '../limits.ts'
import type { Telemetry } from '../telemetry/types.ts'
import type { ScannedInputs } from '../validation/ingest-index.ts'
import type { ResolvedWebhookOptions } from '../webhooks/options.ts'

/** Everything the runner's steps share. Built once by the engine. */
export interface RunnerContext {
  store: Store
  clock: Clock
  limits: Limits
  providers: ReadonlyMap<string, Provider>
  sealer: CredentialSealer
  logger: Logger
  hooks: EngineHooks
  /** Where metrics and traces go; undefined when the engine has no telemetry (then nothing is done for it). */
  telemetry: Telemetry | undefined
  /** This process's name in leases. */
  readonly workerId: string
  options: ResolvedRunnerOptions
  /** Webhook settings; undefined when webhooks are off. */
  webhooks?: ResolvedWebhookOptions | undefined
  /** Upload-time validation results the validate step may use instead of reading the file again. */
  scanned: ScannedInputs
  /** Tells listeners (the Node loop) that work is ready now. */
  notifyWork(): void
}
