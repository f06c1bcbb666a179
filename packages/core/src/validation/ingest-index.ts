/**
 * Validation ahead of time. An upload that may be a batch input file is scanned while it streams into
 * storage (the same {@link IngestScan} as the validate step, with the endpoint taken from the first
 * line, stopping at the first problem). When the whole file is clean, its request items are kept in
 * memory, per store, until the validate step of a batch on that file takes them instead of reading and
 * parsing the file a second time. Anything else (a problem in the file, another endpoint, other limits,
 * another process running the batch) leaves the validate step to read the file as before, so line
 * errors still surface at validation, with the same results.
 */
import type { Limits } from '../limits.ts'
import type { BatchEndpoint } from '../wire/batch.ts'
import { type IngestOptions, type IngestOutline, IngestScan, type RequestItemColumns } from './ingest.ts'

/** The limits a validation result depends on. */
type IngestLimits = IngestOptions['limits']

/** A clean batch input file, as its upload scan found it. */
interface IngestIndex {
  readonly endpoint: BatchEndpoint
  readonly bytes: number
  readonly limits: Readonly<IngestLimits>
  /** The request items in file order (ids drawn as they are sliced out). */
  readonly items: RequestItemColumns
  readonly model: string | null
  readonly total: number
}

/**
 * Longest line the upload scan follows. A partial line is held in memory while the upload streams;
 * past this the scan gives up and the validate step reads the file (whose own limit may be larger).
 */
const scanMaxLineBytes = 1024 * 1024

/** Most request items kept per store: entries are evicted oldest first beyond it (a few MB each). */
const maxKeptItems = 100_000

/**
 * The upload scan of one file: pass the upload through {@link UploadScan.through}, then
 * {@link UploadScan.finish} with the stored byte count once it is stored. Never fails the upload: on any
 * problem it stops scanning and keeps nothing.
 *
 * @example
 * const scan = new UploadScan(limits)
 * const bytes = await blobs.write(id, scan.through(body))
 * const kept = scan.finish(scannedInputs, id, bytes)
 */
export class UploadScan {
  #scan: IngestScan | null
  #bytes = 0
  readonly #limits: IngestLimits

  constructor(limits: Pick<Limits, keyof IngestLimits>) {
    this.#limits = {
      maxRequestsPerBatch: limits.maxRequestsPerBatch,
      maxEmbeddingInputs: limits.maxEmbeddingInputs,
      maxLineBytes: limits.maxLineBytes,
      maxValidationErrors: limits.maxValidationErrors,
    }
    this.#scan = new IngestScan({
      endpoint: null,
      stopAtFirstError: true,
      limits: { ...this.#limits, maxLineBytes: Math.min(limits.maxLineBytes, scanMaxLineBytes) },
    })
  }

  /**
   * `content` as it is read, each chunk scanned before it is handed on. Pull-driven like `content`
   * (nothing is read ahead); errors and cancellation pass through unchanged.
   */
  through(content: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = content.getReader()
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const { done, value } = await reader.read()
          if (done) {
            this.#end()
            controller.close()
            return
          }
          this.#push(value)
          controller.enqueue(value)
        },
        cancel: (reason) => {
          this.#scan = null
          return reader.cancel(reason)
        },
      },
      { highWaterMark: 0 },
    )
  }

  /**
   * Keeps the result for `fileId` in `kept` when the whole file was scanned (`bytes` of it) and is
   * clean. Returns whether it was kept.
   */
  finish(kept: ScannedInputs, fileId: string, bytes: number): boolean {
    const scan = this.#scan
    this.#scan = null
    if (scan === null || !scan.stopped || bytes !== this.#bytes) return false
    const result = scan.outline()
    const endpoint = scan.endpoint
    if (!result.ok || endpoint === null) return false
    kept.set(fileId, {
      endpoint,
      bytes,
      limits: this.#limits,
      items: result.items,
      model: result.model,
      total: result.total,
    })
    return true
  }

  #push(chunk: Uint8Array): void {
    const scan = this.#scan
    if (scan === null) return
    if (!(chunk instanceof Uint8Array)) {
      this.#scan = null
      return
    }
    this.#bytes += chunk.byteLength
    try {
      if (!scan.push(chunk)) this.#scan = null // stopped early: only at a problem, so nothing to keep
    } catch {
      this.#scan = null
    }
  }

  #end(): void {
    try {
      this.#scan?.end()
    } catch {
      this.#scan = null
    }
  }
}

/**
 * Scan results of clean uploads, kept in memory until the validate step of a batch on that file takes
 * them (at most 100,000 request items; oldest evicted first). One per engine: the files service fills
 * it, the runner's validate step empties it.
 *
 * @example
 * const result = scanned.take(file.id, { endpoint, bytes: file.bytes, limits })
 *   ?? (await validateInput(await readFile(), { endpoint, limits }))
 */
export class ScannedInputs {
  readonly #entries = new Map<string, IngestIndex>()
  #items = 0

  /** Keeps `index` for `fileId`, evicting the oldest entries beyond the item cap. */
  set(fileId: string, index: IngestIndex): void {
    this.forget(fileId)
    this.#entries.set(fileId, index)
    this.#items += index.items.length
    for (const [id, entry] of this.#entries) {
      if (this.#items <= maxKeptItems || entry === index) break
      this.forget(id)
    }
  }

  /**
   * Takes the scan result for `fileId` as the validation outcome of a batch on `endpoint` with `limits`
   * when it applies (same endpoint, file size and limits); null otherwise (then validate by reading the
   * file). Taking it removes it, so a second batch on the same file reads the file again.
   */
  take(
    fileId: string,
    expected: { endpoint: BatchEndpoint; bytes: number; limits: IngestLimits },
  ): IngestOutline | null {
    const index = this.#entries.get(fileId)
    if (index === undefined) return null
    this.forget(fileId)
    const { limits } = expected
    if (
      index.endpoint !== expected.endpoint ||
      index.bytes !== expected.bytes ||
      index.limits.maxRequestsPerBatch !== limits.maxRequestsPerBatch ||
      index.limits.maxEmbeddingInputs !== limits.maxEmbeddingInputs ||
      index.limits.maxLineBytes !== limits.maxLineBytes
    ) {
      return null
    }
    return { ok: true, errors: [], items: index.items, model: index.model, total: index.total }
  }

  /** Drops what was kept for `fileId` (the upload was discarded, the file deleted, or not a batch file). */
  forget(fileId: string): void {
    const index = this.#entries.get(fileId)
    if (index === undefined) return
    this.#entries.delete(fileId)
    this.#items -= index.items.length
  }
}
