/** Test helpers: byte streams built from chunks, with counters to observe how far a reader pulled. */

/** A stream that serves `chunks` one per pull, and records pulls and cancellation. */
export interface ProbedStream {
  stream: ReadableStream<Uint8Array>
  /** How many chunks the consumer pulled so far. */
  readonly pulls: number
  /** True once the consumer cancelled the stream. */
  readonly cancelled: boolean
}

/** UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Joins byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** A stream of `chunks` (iterable, possibly endless), one chunk per pull. */
export function probedStream(chunks: Iterable<Uint8Array>): ProbedStream {
  const it = chunks[Symbol.iterator]()
  const probe = { pulls: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = it.next()
        if (next.done) {
          controller.close()
          return
        }
        probe.pulls++
        controller.enqueue(next.value)
      },
      cancel() {
        probe.cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  return {
    stream,
    get pulls() {
      return probe.pulls
    },
    get cancelled() {
      return probe.cancelled
    },
  }
}

/** A stream of `bytes` cut at the given positions. */
export function splitStream(bytes: Uint8Array, cuts: readonly number[] = []): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = []
  let from = 0
  for (const cut of [...cuts, bytes.byteLength]) {
    chunks.push(bytes.slice(from, cut))
    from = cut
  }
  return probedStream(chunks).stream
}

/** A stream of `bytes` in chunks of `size` bytes. */
export function chunkedStream(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  const cuts: number[] = []
  for (let at = size; at < bytes.byteLength; at += size) cuts.push(at)
  return splitStream(bytes, cuts)
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}
