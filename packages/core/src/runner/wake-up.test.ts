import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.ts'
import { WakeUp } from './wake-up.ts'

describe('WakeUp', () => {
  it('wakes a waiter, and keeps a notification that arrives while nobody waits', async () => {
    const wake = new WakeUp()
    let woken = false
    const waiting = wake.wait().then(() => {
      woken = true
    })
    await Promise.resolve()
    expect(woken).toBe(false)
    wake.notify()
    await waiting
    expect(woken).toBe(true)
    wake.notify()
    expect(wake.take()).toBe(true)
    expect(wake.take()).toBe(false)
    wake.notify()
    await wake.wait() // pending: returns at once
  })

  it('gives up after its timeout or when aborted', async () => {
    const wake = new WakeUp()
    await wake.wait(systemClock, 5)
    const controller = new AbortController()
    const waiting = wake.wait(systemClock, 60_000, controller.signal)
    controller.abort()
    await waiting
    // A later notification is kept for the next wait, not lost on the finished one.
    wake.notify()
    expect(wake.take()).toBe(true)
  })
})
