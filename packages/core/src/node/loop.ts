import type { Logger, Runner } from '../engine/types.ts'

/** Options of {@link startRunnerLoop}. */
export interface RunnerLoopOptions {
  /** Work slice per tick in ms (default 1000). */
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
 * short when this process creates or cancels a batch.
 *
 * @example
 * const loop = startRunnerLoop(engine.runner)
 * stopOnSignals(loop)
 */
export function startRunnerLoop(runner: Runner, options: RunnerLoopOptions = {}): RunnerLoop {
  const { budgetMs = 1_000, idleMs = 500, logger } = options
  const controller = new AbortController()
  let wake: (() => void) | null = null
  const unsubscribe = runner.onWork(() => wake?.())

  const idle = (): Promise<void> =>
    new Promise<void>((resolve) => {
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
      try {
        const report = await runner.tick({ budgetMs, signal: controller.signal })
        if (!report.more) await idle()
      } catch (error) {
        logger?.error?.('runner tick failed', { error: String(error) })
        await idle()
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

/**
 * Stops `loop` gracefully on SIGINT/SIGTERM, then calls `onStopped` (default: exit the process).
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(
  loop: RunnerLoop,
  onStopped: () => void | Promise<void> = () => process.exit(0),
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): () => void {
  let stopping = false
  const handler = (): void => {
    if (stopping) return
    stopping = true
    void loop.stop().then(onStopped)
  }
  for (const signal of signals) process.on(signal, handler)
  return () => {
    for (const signal of signals) process.off(signal, handler)
  }
}
