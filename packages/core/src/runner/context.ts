import type { Clock } from '../clock.ts'
import type { Provider } from '../contracts/provider.ts'
import type { Store } from '../contracts/store.ts'
import type { CredentialSealer } from '../crypto.ts'
import type { EngineHooks, Logger, RunnerOptions } from '../engine/types.ts'
import type { Limits } from '../limits.ts'
import type { ScannedInputs } from '../validation/ingest-index.ts'

/** Everything the runner's steps share. Built once by the engine. */
export interface RunnerContext {
  store: Store
  clock: Clock
  limits: Limits
  providers: ReadonlyMap<string, Provider>
  sealer: CredentialSealer
  logger: Logger
  hooks: EngineHooks
  workerId: string
  options: Required<RunnerOptions> & { backoff: { baseMs: number; maxMs: number } }
  /** Upload-time validation results the validate step may use instead of reading the file again. */
  scanned: ScannedInputs
  /** Tells listeners (the Node loop) that work is ready now. */
  notifyWork(): void
}

/** Default runner tuning. */
export const defaultRunnerOptions: RunnerContext['options'] = {
  leaseMs: 60_000,
  claimBatchSize: 256,
  recordBatchSize: 256,
  recordIntervalMs: 50,
  batchesPerTick: 4,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  requestTimeoutMs: 600_000,
}
