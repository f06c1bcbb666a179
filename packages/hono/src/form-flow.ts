import { type BatchkitError, isBatchkitError } from '@batchkit/core'
import type { MultipartPart } from '@mjackson/multipart-parser'
import { badRequest, parseError } from './multipart-errors.ts'

/** Where a failure came from; decides which of several errors the client sees. */
export type FailureSource = 'task' | 'parse'

/** A part stream as the flow tracks it. */
export interface Channel {
  readonly stream: ReadableStream<Uint8Array>
  /** True while its consumer waits for bytes the parser has not produced yet. */
  readonly starving: boolean
  /** True until its consumer read the end, cancelled it, or the form failed. */
  readonly open: boolean
  abort(reason: BatchkitError): void
}

/**
 * Backpressure and failure bookkeeping of one form: feeds the parser from the request only while some
 * part consumer starves (or no part is open), and on the first failure stops reading the request and
 * errors every open part stream so that every consumer settles.
 *
 * @example
 * const flow = new FormFlow(request.body.getReader())
 * await parseMultipart(flow.source(), { boundary }, (part) => consume(flow.channel(part, max).stream))
 */
export class FormFlow {
  readonly #request: ReadableStreamDefaultReader<Uint8Array>
  readonly #open = new Set<Channel>()
  #wake: (() => void) | undefined
  #failure: { error: unknown; rank: number } | undefined
  /** What open part streams were errored with on failure; seeing it again is an echo, not news. */
  #abortReason: BatchkitError | undefined

  constructor(request: ReadableStreamDefaultReader<Uint8Array>) {
    this.#request = request
  }

  get failed(): boolean {
    return this.#failure !== undefined
  }

  /** The request body as the parser should see it: pulled only on demand, ending early on failure. */
  async *source(): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (!this.failed && !this.#demand()) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve
        })
      }
      if (this.failed) return
      const { done, value } = await this.#request.read()
      if (done) return
      yield value
    }
  }

  /** Wraps a part's body in a stream that pulls only on demand and is tracked until it ends. */
  channel(part: MultipartPart, maxPartBytes: number): Channel {
    const reader = part.body.getReader()
    const flow = this
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined
    let pending = 0
    let open = true
    const close = (): void => {
      open = false
      flow.#open.delete(channel)
      flow.#signal()
    }
    const stream = new ReadableStream<Uint8Array>(
      {
        start(c) {
          controller = c
        },
        async pull(c) {
          pending += 1
          flow.#signal()
          let result: ReadableStreamReadResult<Uint8Array>
          try {
            result = await reader.read()
          } catch (error) {
            if (!open) return
            const reason = parseError(error, maxPartBytes)
            close()
            flow.fail(reason, 'parse')
            c.error(reason)
            return
          } finally {
            pending -= 1
          }
          if (!open) return
          if (result.done) {
            close()
            c.close()
          } else {
            c.enqueue(result.value)
          }
        },
        cancel(reason) {
          if (!open) return
          close()
          flow.fail(
            isBatchkitError(reason) ? reason : badRequest('The upload was aborted before the form ended.'),
            isBatchkitError(reason) ? 'task' : 'parse',
          )
          reader.cancel(reason).catch(() => undefined)
        },
      },
      { highWaterMark: 0 },
    )
    const channel: Channel = {
      stream,
      get starving() {
        return pending > 0
      },
      get open() {
        return open
      },
      abort(reason) {
        if (!open) return
        close()
        controller?.error(reason)
        reader.cancel(reason).catch(() => undefined)
      },
    }
    this.#open.add(channel)
    return channel
  }

  /**
   * Records a failure and stops the form. Ranking: a `BatchkitError` from a handler (e.g. the engine's
   * `file_too_large`) beats one derived from the parser, which beats anything else; after the first
   * failure, only a handler's `BatchkitError` is still recorded (the rest are consequences of stopping),
   * and never the abort reason itself coming back from a handler whose part was aborted.
   */
  fail(error: unknown, source: FailureSource): void {
    if (error === this.#abortReason) return
    const rank = isBatchkitError(error) ? (source === 'task' ? 3 : 2) : 1
    if (this.#failure === undefined) {
      this.#failure = { error, rank }
      const reason = isBatchkitError(error) ? error : badRequest('The upload was aborted.')
      this.#abortReason = reason
      for (const channel of [...this.#open]) channel.abort(reason)
      this.#request.cancel(reason).catch(() => undefined)
      this.#signal()
    } else if (rank === 3 && this.#failure.rank < 3) {
      this.#failure = { error, rank }
    }
  }

  /** Throws the failure that the client should see, if any. */
  throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error
  }

  #demand(): boolean {
    if (this.#open.size === 0) return true
    for (const channel of this.#open) if (channel.starving) return true
    return false
  }

  #signal(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}
