/** Runs one batch through an engine in this process, the way the reference server does. */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import {
  type BatchObject,
  createBatchEngine,
  type Provider,
  type RunnerOptions,
  type Scope,
  type Store,
  type Telemetry,
} from '@batchkit/core'
import { type RunnerLoopOptions, startRunnerLoop } from '@batchkit/core/node'
import { observeTransitions, type PhaseTimes } from './observe.ts'

/** Options of {@link runBatch}. */
export interface RunBatchOptions {
  store: Store
  provider: Provider
  /** JSONL input file on disk. */
  inputPath: string
  runner?: RunnerOptions
  loop?: RunnerLoopOptions
  /** The engine's telemetry (none by default). */
  telemetry?: Telemetry | readonly Telemetry[]
}

/** What one batch run measured. */
export interface BatchRun {
  /** From `batches.create` to the terminal status, in ms. */
  ms: number
  /** CPU time (user + system) this process spent meanwhile, in ms. */
  cpuMs: number
  /** validating → in_progress, in_progress → finalizing, finalizing → terminal, in ms. */
  phases: { validateMs: number; executeMs: number; finalizeMs: number }
  batch: BatchObject
}

const scope: Scope = { ownerId: 'bench' }

/** A readable web stream of a file on disk. */
export function fileStream(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>
}

/**
 * Uploads `inputPath`, then times one batch from `create` to its terminal status with the Node runner
 * loop (`startRunnerLoop`) running in this process. The upload is not timed.
 *
 * @example
 * const run = await runBatch({ store: memoryStore(), provider, inputPath })
 */
export async function runBatch(options: RunBatchOptions): Promise<BatchRun> {
  const times: PhaseTimes = {}
  let finished: (batch: BatchObject) => void = () => {}
  const terminal = new Promise<BatchObject>((resolve) => {
    finished = resolve
  })
  const engine = createBatchEngine({
    store: observeTransitions(options.store, times),
    providers: [options.provider],
    secret: 'batchkit-bench-secret-batchkit-bench',
    hooks: { onBatchTerminal: (batch) => finished(batch) },
    runner: options.runner,
    telemetry: options.telemetry,
  })
  const file = await engine.files.upload(scope, fileStream(options.inputPath), {
    filename: 'bench.jsonl',
    purpose: 'batch',
  })
  const loop = startRunnerLoop(engine.runner, options.loop ?? {})
  try {
    const started = performance.now()
    const cpu = process.cpuUsage()
    await engine.batches.create(
      scope,
      { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
      { provider: options.provider.name, credential: null },
    )
    const batch = await terminal
    const ended = performance.now()
    const used = process.cpuUsage(cpu)
    const inProgress = times.in_progress ?? started
    const finalizing = times.finalizing ?? inProgress
    return {
      ms: ended - started,
      cpuMs: (used.user + used.system) / 1_000,
      phases: {
        validateMs: inProgress - started,
        executeMs: finalizing - inProgress,
        finalizeMs: ended - finalizing,
      },
      batch,
    }
  } finally {
    await loop.stop()
  }
}
