import { abortedByTimeout } from './abort.ts'

/** The abort signal of one HTTP call, and how to release it. */
export interface CallSignal {
  signal: AbortSignal
  /** The timeout the signal enforces, in ms. */
  readonly timeoutMs: number
  /** Whether the call's timeout fired (as opposed to the caller aborting). */
  timedOut(): boolean
  /** Clears the timer and the listener on the caller's signal; call it when the call is over. */
  dispose(): void
}

/**
 * One call's signal. Lines go through here by the thousand per second, so it allocates no closures: it is
 * its own `abort` listener (`handleEvent`) and its timer calls a shared function.
 */
class LinkedCallSignal implements CallSignal {
  readonly #controller = new AbortController()
  readonly #parent: AbortSignal
  readonly #timer: ReturnType<typeof setTimeout> | undefined
  readonly timeoutMs: number
  #timedOut = false

  constructor(parent: AbortSignal, timeoutMs: number) {
    this.#parent = parent
    this.timeoutMs = timeoutMs
    parent.addEventListener('abort', this, { once: true })
    this.#timer =
      timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(timeOut, timeoutMs, this, timeoutMs)
        : undefined
    if (parent.aborted) this.handleEvent()
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  timedOut(): boolean {
    return this.#timedOut
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#parent.removeEventListener('abort', this)
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.#controller.abort(this.#parent.reason)
  }

  /** The call's own timeout fired. */
  expire(timeoutMs: number): void {
    this.#timedOut = true
    this.#controller.abort(new DOMException(`No answer within ${timeoutMs} ms.`, 'TimeoutError'))
  }
}

function timeOut(call: LinkedCallSignal, timeoutMs: number): void {
  call.expire(timeoutMs)
}

/** The caller's signal itself, when it already times out no later than the call should. */
class CallerSignal implements CallSignal {
  constructor(
    readonly signal: AbortSignal,
    readonly timeoutMs: number,
  ) {}

  timedOut(): boolean {
    return abortedByTimeout(this.signal)
  }

  dispose(): void {}
}

/**
 * A signal that aborts when `parent` aborts or after `timeoutMs` (none when `timeoutMs <= 0`).
 * Unlike `AbortSignal.any([parent, AbortSignal.timeout(ms)])` it frees its timer and its listener on
 * the long-lived runner signal as soon as the call ends, so millions of calls leave nothing behind.
 * When `parentTimeoutMs` says `parent` itself times out no later (the runner's per-line deadline),
 * `parent` is used as is: no signal, timer or listener of its own.
 *
 * @example
 * const call = callSignal(request.signal, 30_000, request.timeoutMs)
 * try { await fetch(url, { signal: call.signal }) } finally { call.dispose() }
 */
export function callSignal(parent: AbortSignal, timeoutMs: number, parentTimeoutMs?: number): CallSignal {
  const ownTimeout = timeoutMs > 0 && Number.isFinite(timeoutMs)
  if (parentTimeoutMs !== undefined && (!ownTimeout || parentTimeoutMs <= timeoutMs)) {
    return new CallerSignal(parent, parentTimeoutMs)
  }
  return new LinkedCallSignal(parent, timeoutMs)
}
