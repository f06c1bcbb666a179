/**
 * Input bytes read together with a claim (see `claimRequests`), kept briefly for the `files.read` of
 * the same range that follows it: the runner reads the lines it just claimed, and this saves that
 * round trip. Input files never change once stored, so a span read a moment earlier is the content a
 * read would return. Per store instance (process); bounded in age and size.
 */
export class PrefetchedSpans {
  readonly #entries = new Map<string, Span[]>()
  #bytes = 0
  readonly #maxBytes: number
  readonly #maxAgeMs: number

  constructor(options: { maxBytes?: number; maxAgeMs?: number } = {}) {
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024
    this.#maxAgeMs = options.maxAgeMs ?? 5_000
  }

  /** Keeps `data`, the bytes of file `fileId` (of `ownerId`) from offset `start`. */
  put(fileId: string, ownerId: string, start: number, data: Uint8Array): void {
    if (data.byteLength === 0 || data.byteLength > this.#maxBytes) return
    const now = Date.now()
    this.#sweep(now)
    while (this.#bytes + data.byteLength > this.#maxBytes && this.#dropOldest());
    const key = keyOf(fileId, ownerId)
    const list = this.#entries.get(key)
    const span: Span = { start, end: start + data.byteLength, data, at: now }
    if (list) list.push(span)
    else this.#entries.set(key, [span])
    this.#bytes += data.byteLength
  }

  /**
   * The bytes `[start, end)` of file `fileId` (of `ownerId`) if a kept span holds all of them, else
   * null. A span read exactly is forgotten; one read in part stays until it ages out.
   */
  take(fileId: string, ownerId: string, start: number, end: number): Uint8Array | null {
    if (this.#entries.size === 0) return null
    const key = keyOf(fileId, ownerId)
    const list = this.#entries.get(key)
    if (!list) return null
    const now = Date.now()
    for (let i = 0; i < list.length; i++) {
      const span = list[i]!
      if (now - span.at > this.#maxAgeMs || span.start > start || span.end < end) continue
      if (span.start === start && span.end === end) {
        list.splice(i, 1)
        if (list.length === 0) this.#entries.delete(key)
        this.#bytes -= span.data.byteLength
        return span.data
      }
      return span.data.subarray(start - span.start, end - span.start)
    }
    return null
  }

  /** Bytes held (for tests). */
  get bytes(): number {
    return this.#bytes
  }

  #sweep(now: number): void {
    for (const [key, list] of this.#entries) {
      const kept = list.filter((span) => now - span.at <= this.#maxAgeMs)
      for (const span of list) if (!kept.includes(span)) this.#bytes -= span.data.byteLength
      if (kept.length === 0) this.#entries.delete(key)
      else if (kept.length !== list.length) this.#entries.set(key, kept)
    }
  }

  #dropOldest(): boolean {
    let oldest: { key: string; index: number; at: number } | null = null
    for (const [key, list] of this.#entries) {
      list.forEach((span, index) => {
        if (oldest === null || span.at < oldest.at) oldest = { key, index, at: span.at }
      })
    }
    if (oldest === null) return false
    const { key, index } = oldest as { key: string; index: number }
    const list = this.#entries.get(key)!
    const [span] = list.splice(index, 1)
    if (list.length === 0) this.#entries.delete(key)
    this.#bytes -= span!.data.byteLength
    return true
  }
}

interface Span {
  start: number
  end: number
  data: Uint8Array
  at: number
}

const keyOf = (fileId: string, ownerId: string): string => `${ownerId}\u0000${fileId}`
