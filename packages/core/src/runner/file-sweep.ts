import type { RunnerContext } from './context.ts'

/** A runner looks for expired files at most this often (domain time). */
export const fileSweepIntervalMs = 60_000
/** Files removed per store call; calls go on while they come back full and the tick has time. */
const filesPerSweep = 100

/**
 * The expiry sweep of one runner: files past their `expires_at` (batch inputs after 30 days by default,
 * `expires_after` of an upload, `output_expires_after` of a batch's results) lose their record and content,
 * so storage does not grow with files nobody downloads again. The input of a batch that has not ended is
 * kept until it ends. Each call sweeps only when the interval has passed since the last sweep began; a
 * store failure is thrown (the tick reports it) and the sweep is tried again at the next interval.
 *
 * @example
 * const sweep = fileSweeper(ctx)
 * await sweep(deadline)
 */
export function fileSweeper(ctx: RunnerContext): (deadline: number, signal?: AbortSignal) => Promise<number> {
  let nextSweepAt = Number.NEGATIVE_INFINITY
  return async (deadline, signal) => {
    const now = ctx.clock.now()
    if (now < nextSweepAt) return 0
    nextSweepAt = now + fileSweepIntervalMs
    let removed = 0
    for (;;) {
      const ids = await ctx.store.files.sweepExpired(ctx.clock.now(), filesPerSweep)
      for (const id of ids) ctx.scanned.forget(id)
      removed += ids.length
      if (ids.length < filesPerSweep || ctx.clock.now() >= deadline || signal?.aborted) break
    }
    if (removed > 0) ctx.logger.info?.('expired files removed', { files: removed })
    return removed
  }
}
