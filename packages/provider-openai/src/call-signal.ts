/** The abort signal of one HTTP call, and how to release it. */
export interface CallSignal {
  signal: AbortSignal
  /** Whether the call's own timeout fired (as opposed to the caller aborting). */
  timedOut(): boolean
  /** Clears the timer and the listener on the caller's signal; call it when the call is over. */
  dispose(): void
}

/**
 * A signal that aborts when `parent` aborts or after `timeoutMs` (none when `timeoutMs <= 0`).
 * Unlike `AbortSignal.any([parent, AbortSignal.timeout(ms)])` it frees its timer and its listener on
 * the long-lived runner signal as soon as the call ends, so millions of calls leave nothing behind.
 *
 * @example
 * const call = callSignal(request.signal, 30_000)
 * try { await fetch(url, { signal: call.signal }) } finally { call.dispose() }
 */
export function callSignal(parent: AbortSignal, timeoutMs: number): CallSignal {
  const controller = new AbortController()
  let timedOut = false
  const onAbort = (): void => controller.abort(parent.reason)
  parent.addEventListener('abort', onAbort, { once: true })
  const timer =
    timeoutMs > 0 && Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true
          controller.abort(new DOMException(`No answer within ${timeoutMs} ms.`, 'TimeoutError'))
        }, timeoutMs)
      : undefined
  if (parent.aborted) onAbort()
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      if (timer !== undefined) clearTimeout(timer)
      parent.removeEventListener('abort', onAbort)
    },
  }
}
