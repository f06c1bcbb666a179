import type { RequestItem } from '../contracts/records.ts'

/**
 * Request items in columns: line numbers, offsets and lengths in typed arrays, custom ids in one array,
 * and `batch_req_…` ids drawn only when items are sliced out. A 50,000-line file is then a handful of
 * objects for the garbage collector to copy and trace while it is scanned, not 100,000 (an item and its
 * id each), and a store can be fed slice by slice without all items existing at once.
 *
 * @example
 * const columns = new RequestItemColumns(requestLineIds())
 * columns.push(1, 'req-1', 0, 120)
 * columns.slice(0, 1) // [{ index: 1, id: 'batch_req_…', customId: 'req-1', offset: 0, length: 120 }]
 */
export class RequestItemColumns {
  #lines = new Float64Array(1024)
  #offsets = new Float64Array(1024)
  #lengths = new Float64Array(1024)
  readonly #customIds: string[] = []
  /** Ids drawn so far, for the first items (in order, so slicing a range again gives the same ids). */
  readonly #ids: string[] = []
  readonly #newId: () => string

  constructor(newId: () => string) {
    this.#newId = newId
  }

  /** The number of items pushed. */
  get length(): number {
    return this.#customIds.length
  }

  /** Appends the item of request line `index` (1-based), at `offset` and `length` bytes in the file. */
  push(index: number, customId: string, offset: number, length: number): void {
    const at = this.#customIds.length
    if (at === this.#lines.length) {
      this.#lines = grow(this.#lines)
      this.#offsets = grow(this.#offsets)
      this.#lengths = grow(this.#lengths)
    }
    this.#lines[at] = index
    this.#offsets[at] = offset
    this.#lengths[at] = length
    this.#customIds.push(customId)
  }

  /** Items `[start, end)` (clamped), in file order; ids are drawn in file order on first use. */
  slice(start: number, end: number): RequestItem[] {
    const to = Math.min(end, this.length)
    const from = Math.min(Math.max(start, 0), to)
    while (this.#ids.length < to) this.#ids.push(this.#newId())
    const items: RequestItem[] = []
    for (let i = from; i < to; i++) {
      items.push({
        index: this.#lines[i]!,
        id: this.#ids[i]!,
        customId: this.#customIds[i]!,
        offset: this.#offsets[i]!,
        length: this.#lengths[i]!,
      })
    }
    return items
  }
}

/** A copy of `column` twice as long. */
function grow(column: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(column.length * 2)
  bigger.set(column)
  return bigger
}
