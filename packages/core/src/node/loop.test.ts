import { describe, expect, it, vi } from 'vitest'
import type { Runner, TickOptions, TickReport } from '../engine/types.ts'
import { startRunnerLoop } from './loop.ts'

/** A runner whose ticks are scripted: each tick runs `script(n, options, announce)`. */
function scriptedRunner(
  script: (n: number, options: TickOptions, announce: () => void) => Promise<TickReport>,
): Runner & { ticks: TickOptions[] } {
  const listeners = new Set<() => void>()
  const ticks: TickOptions[] = []
  return {
    ticks,
    tick(options = {}) {
      ticks.push(options)
      return script(ticks.length, options, () => {
        for (const listener of listeners) listener()
      })
    },
    onWork(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

const nothing: TickReport = { batches: 0, lines: 0, more: false, nextDueAt: null }

describe('startRunnerLoop', () => {
  it('gives ticks no budget by default: a tick runs while it finds lines', async () => {
    const runner = scriptedRunner(async () => nothing)
    const loop = startRunnerLoop(runner, { idleMs: 3_600_000 })
    await vi.waitFor(() => expect(runner.ticks.length).toBe(1))
    await loop.stop()
    expect(runner.ticks[0]?.budgetMs).toBe(Number.POSITIVE_INFINITY)
    expect(runner.ticks[0]?.signal?.aborted).toBe(true)
    const bounded = startRunnerLoop(runner, { budgetMs: 250, idleMs: 3_600_000 })
    await vi.waitFor(() => expect(runner.ticks.length).toBe(2))
    await bounded.stop()
    expect(runner.ticks[1]?.budgetMs).toBe(250)
  })

  it('does not pause after a tick during which work was announced, even if it reported none', async () => {
    // Before the fix, an announcement that arrived while a tick ran was lost: the loop paused idleMs.
    const runner = scriptedRunner(async (n, _options, announce) => {
      if (n === 1) announce()
      return nothing
    })
    const loop = startRunnerLoop(runner, { idleMs: 3_600_000 })
    await vi.waitFor(() => expect(runner.ticks.length).toBe(2))
    await loop.stop()
  })

  it('cuts a pause short when work is announced, and stops during a pause at once', async () => {
    let announce: () => void = () => {}
    const runner = scriptedRunner(async (_n, _options, a) => {
      announce = a
      return nothing
    })
    const loop = startRunnerLoop(runner, { idleMs: 3_600_000 })
    await vi.waitFor(() => expect(runner.ticks.length).toBe(1))
    announce()
    await vi.waitFor(() => expect(runner.ticks.length).toBe(2))
    await loop.stop()
    expect(runner.ticks.length).toBe(2)
  })

  it('stop waits for the running tick, which sees its signal aborted', async () => {
    let finish: () => void = () => {}
    const runner = scriptedRunner(
      (_n, options) =>
        new Promise<TickReport>((resolve) => {
          finish = () => resolve({ batches: 0, lines: 1, more: !options.signal?.aborted, nextDueAt: null })
        }),
    )
    const loop = startRunnerLoop(runner, { idleMs: 3_600_000 })
    await vi.waitFor(() => expect(runner.ticks.length).toBe(1))
    let stopped = false
    const stopping = loop.stop().then(() => {
      stopped = true
    })
    await Promise.resolve()
    expect(stopped).toBe(false)
    expect(runner.ticks[0]?.signal?.aborted).toBe(true)
    finish()
    await stopping
    expect(runner.ticks.length).toBe(1)
  })
  it('pauses only until work is due when the tick says it is due sooner than idleMs', async () => {
    const runner = scriptedRunner(async () => ({ ...nothing, nextDueAt: Date.now() + 30 }))
    const loop = startRunnerLoop(runner, { idleMs: 3_600_000 })
    await vi.waitFor(() => expect(runner.ticks.length).toBeGreaterThanOrEqual(3))
    await loop.stop()
  })

  it('keeps ticking through failures with backoff, logging one error when they start and one line when they end', async () => {
    const lines: { level: string; message: string }[] = []
    const log = (level: string) => (message: string) => lines.push({ level, message })
    const logger = { error: log('error'), info: log('info'), debug: log('debug'), warn: log('warn') }
    const runner = scriptedRunner(async (n) => {
      if (n <= 4) throw new Error('connect ECONNREFUSED 127.0.0.1:5432')
      return nothing
    })
    const loop = startRunnerLoop(runner, { idleMs: 3_600_000, maxRetryMs: 20, logger })
    await vi.waitFor(() => expect(runner.ticks.length).toBe(5))
    await loop.stop()
    expect(lines.filter((l) => l.level !== 'debug').map((l) => l.level)).toEqual(['error', 'info'])
    expect(lines.filter((l) => l.level === 'debug')).toHaveLength(3)
  })
})
