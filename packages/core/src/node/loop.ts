import { systemClock } from '../clock.ts'
import type { Logger, Runner } from '../engine/types.ts'
import { WakeUp } from '../runner/wake-up.ts'

/** Options of {@link startRunnerLoop}. */
export interface RunnerLoopOptions {
  /**
   * Work slice per tick in ms. Default: none — a tick goes on while it finds lines to claim, and ends
   * once there are none and its lines are recorded (batch-level steps still run at least every second
   * within it). A tick that ends stops claiming and waits for its lines in flight, so with a budget every
   * tick boundary leaves slots empty for up to a call's latency; a budget only bounds how long ticks run.
   */
  budgetMs?: number
  /**
   * Longest pause after a tick that found nothing to do, in ms (default 500): the loop then asks the store
   * again (other processes may have added work). Shorter when the tick reported work due sooner
   * (`nextDueAt`); cut short when this process creates or cancels a batch.
   */
  idleMs?: number
  /** Longest pause between attempts while ticks fail (default 1000 ms; the first retry comes after 250 ms). */
  maxRetryMs?: number
  logger?: Logger
}

/** A running loop. */
export interface RunnerLoop {
  /** Stops claiming work, lets started lines finish and be recorded, then resolves. */
  stop(): Promise<void>
  /** Resolves when the loop has stopped. */
  readonly done: Promise<void>
}

/** The shortest pause after an idle tick, so a wake-up already due never makes the loop spin. */
const minIdleMs = 20

/**
 * Ticks `runner` until stopped. A tick that finds nothing to do is followed by a pause of up to `idleMs`
 * (until `nextDueAt` when that is sooner), cut short (or skipped) when this process creates or cancels a
 * batch. A tick that fails (the database restarts or is down) is retried with backoff (250 ms, doubling,
 * at most `maxRetryMs`), forever: the loop logs one error when ticks start failing and one line when
 * they succeed again. Stopping stops claiming, lets the lines in flight finish and be recorded, then
 * resolves.
 *
 * @example
 * const loop = startRunnerLoop(engine.runner, { logger })
 * stopOnSignals(loop)
 */
export function startRunnerLoop(runner: Runner, options: RunnerLoopOptions = {}): RunnerLoop {
  const { budgetMs = Number.POSITIVE_INFINITY, idleMs = 500, maxRetryMs = 1_000, logger } = options
  const controller = new AbortController()
  const { signal } = controller
  /** Work announced in this process (a create, a cancel): ends a pause, or skips the next one. */
  const work = new WakeUp()
  const unsubscribe = runner.onWork(() => work.notify())

  const done = (async () => {
    let failingSince: number | null = null
    let failures = 0
    while (!signal.aborted) {
      // Work announced before this tick starts is work this tick finds.
      work.take()
      try {
        const report = await runner.tick({ budgetMs, signal })
        if (failingSince !== null) {
          logger?.info?.('runner ticks succeed again', { failedForMs: Date.now() - failingSince, failures })
          failingSince = null
          failures = 0
        }
        if (!report.more) {
          const due = report.nextDueAt === null ? idleMs : report.nextDueAt - Date.now()
          await work.wait(systemClock, Math.max(minIdleMs, Math.min(idleMs, due)), signal)
        }
      } catch (error) {
        failures++
        if (failingSince === null) {
          failingSince = Date.now()
          logger?.error?.('runner tick failed; retrying with backoff until it succeeds', { error })
        } else {
          logger?.debug?.('runner tick failed again', { failures, error })
        }
        // Never spin on a failing store; announced work does not cut this pause short.
        await systemClock.sleep(Math.min(maxRetryMs, 250 * 2 ** Math.min(failures - 1, 10)), signal)
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
