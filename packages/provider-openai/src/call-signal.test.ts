import { describe, expect, it } from 'vitest'
import { callSignal } from './call-signal.ts'

const timeout = () => new DOMException('late', 'TimeoutError')

describe('callSignal', () => {
  it('uses the caller signal as is when it times out no later than the call should', () => {
    const parent = new AbortController()
    const call = callSignal(parent.signal, 30_000, 10_000)
    expect(call.signal).toBe(parent.signal)
    expect(call.timeoutMs).toBe(10_000)
    parent.abort(timeout())
    expect(call.timedOut()).toBe(true)
    call.dispose()
  })

  it('does not count a shutdown of the caller as a timeout', () => {
    const parent = new AbortController()
    const call = callSignal(parent.signal, 30_000, 10_000)
    parent.abort(new Error('stopping'))
    expect(call.timedOut()).toBe(false)
  })

  it('arms its own timeout when the caller would time out later', async () => {
    const parent = new AbortController()
    const call = callSignal(parent.signal, 20, 60_000)
    expect(call.signal).not.toBe(parent.signal)
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(call.signal.aborted).toBe(true)
    expect(call.timedOut()).toBe(true)
    expect(parent.signal.aborted).toBe(false)
    call.dispose()
  })

  it('follows the caller signal and stops listening to it once disposed', () => {
    const parent = new AbortController()
    const call = callSignal(parent.signal, 60_000)
    const reason = new Error('stopping')
    parent.abort(reason)
    expect(call.signal.aborted).toBe(true)
    expect(call.signal.reason).toBe(reason)
    expect(call.timedOut()).toBe(false)
    call.dispose()
    const other = callSignal(new AbortController().signal, 60_000)
    other.dispose()
    expect(other.signal.aborted).toBe(false)
  })
})
