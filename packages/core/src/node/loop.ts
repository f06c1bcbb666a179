import type { Logger, Runner } from '../engine/types.ts'

/** Options of {@link startRunnerLoop}. */
export interface RunnerLoopOptions {
  /**
   * Work slice per tick in ms. Default: none — a tick goes on while it finds lines to claim, and ends
   * once there are none and its lines are recorded (batch-level steps still run at least every second
   * within it). A tick that ends stops claiming and waits for its lines in flight, so with a budget every
   * tick boundary leaves slots empty for up to a call's latency; a budget only bounds how long ticks run.
   */
  budgetMs?: number
  /** Pause when a tick found nothing to do, in ms (default 500); new work in this process ends it early. */
  idleMs?: number
  logger?: Logger
}

/** A running loop. */
export interface RunnerLoop {
  /** Stops claiming work, lets started lines finish and be recorded, then resolves. */
  stop(): Promise<void>
  /** Resolves when the loop has stopped. */
  readonly done: Promise<void>
}

/**
 * Ticks `runner` until stopped. A tick that finds nothing to do is followed by a pause of `idleMs`, cut
 * short (or skipped) when this process creates or cancels a batch. Stopping stops claiming, lets the lines
 * in flight finish and be recorded, then resolves.
 *
 * @example
 * const loop = startRunnerLoop(engine.runner)
 * stopOnSignals(loop)
 */
export function startRunnerLoop(runner: Runner, options: RunnerLoopOptions = {}): RunnerLoop {
  const { budgetMs = Number.POSITIVE_INFINITY, idleMs = 500, logger } = options
  const controller = new AbortController()
  let wake: (() => void) | null = null
  /** Work announced since the current tick started: the pause after it is skipped. */
  let announced = false
  const unsubscribe = runner.onWork(() => {
    announced = true
    wake?.()
  })

  /** Pauses for `idleMs`, cut short by work announced meanwhile (or already, when `skipIfAnnounced`). */
  const idle = (skipIfAnnounced: boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      if ((skipIfAnnounced && announced) || controller.signal.aborted) return resolve()
      const timer = setTimeout(finish, idleMs)
      function finish(): void {
        clearTimeout(timer)
        controller.signal.removeEventListener('abort', finish)
        wake = null
        resolve()
      }
      wake = finish
      controller.signal.addEventListener('abort', finish, { once: true })
    })

  const done = (async () => {
    while (!controller.signal.aborted) {
      announced = false
      try {
        const report = await runner.tick({ budgetMs, signal: controller.signal })
        if (!report.more) await idle(true)
      } catch (error) {
        logger?.error?.('runner tick failed', { error: String(error) })
        // Always pause after a failure (a failing store must not make the loop spin).
        await idle(false)
      }
    }
    unsubscribe()
  })()

  return {
    done,
    async stop() {
      controller.abort()
      await done
    },
  }
}

/** A signal {@link stopOnSignals} can listen for (declared here so hosts need no `@types/node`). */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGQUIT' | 'SIGUSR1' | 'SIGUSR2' | 'SIGBREAK'

/** The part of Node's `process` (also present on Bun and Deno) that {@link stopOnSignals} uses. */
interface SignalProcess {
  on(signal: StopSignal, listener: () => void): unknown
  off(signal: StopSignal, listener: () => void): unknown
  exit(code?: number): never
}

/** The runtime's `process`, typed by what is used of it. */
function nodeProcess(): SignalProcess {
  const proc = (globalThis as { process?: SignalProcess }).process
  if (proc === undefined) throw new Error('stopOnSignals needs a runtime with a Node-style `process`.')
  return proc
}

/**
 * Stops `loop` gracefully on SIGINT/SIGTERM, then calls `onStopped` (default: exit the process).
 * Returns a function that removes the handlers.
 *
 * @example
 * const loop = startRunnerLoop(engine.runner)
 * stopOnSignals(loop, async () => {
 *   await store.close()
 *   process.exit(0)
 * })
 */
export function stopOnSignals(
  loop: RunnerLoop,
  onStopped: () => void | Promise<void> = () => nodeProcess().exit(0),
  signals: readonly StopSignal[] = ['SIGINT', 'SIGTERM'],
): () => void {
  const proc = nodeProcess()
  let stopping = false
  const handler = (): void => {
    if (stopping) return
    stopping = true
    void loop.stop().then(onStopped)
  }
  for (const signal of signals) proc.on(signal, handler)
  return () => {
    for (const signal of signals) proc.off(signal, handler)
  }
}
