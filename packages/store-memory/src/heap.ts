/**
 * A binary min-heap ordered by `compare` (negative: `a` comes first).
 *
 * @example
 * const heap = new MinHeap<number>((a, b) => a - b)
 * heap.push(3); heap.push(1)
 * heap.pop() // 1
 */
export class MinHeap<T> {
  readonly #items: T[] = []
  readonly #compare: (a: T, b: T) => number

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.#items.length
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#items[0]
  }

  /** Adds an item in O(log n); O(1) when it sorts after its parent (e.g. pushes in ascending order). */
  push(item: T): void {
    const items = this.#items
    items.push(item)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.#compare(items[i]!, items[parent]!) >= 0) break
      this.#swap(i, parent)
      i = parent
    }
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last !== undefined) {
      items[0] = last
      this.#siftDown(0)
    }
    return top
  }

  /** Removes every item. */
  clear(): void {
    this.#items.length = 0
  }

  #siftDown(start: number): void {
    const items = this.#items
    const n = items.length
    let i = start
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let first = i
      if (left < n && this.#compare(items[left]!, items[first]!) < 0) first = left
      if (right < n && this.#compare(items[right]!, items[first]!) < 0) first = right
      if (first === i) return
      this.#swap(i, first)
      i = first
    }
  }

  #swap(a: number, b: number): void {
    const items = this.#items
    const tmp = items[a]!
    items[a] = items[b]!
    items[b] = tmp
  }
}
