import { describe, expect, it } from 'vitest'
import { MinHeap } from './heap.ts'

describe('MinHeap', () => {
  it('pops in comparator order, interleaved with pushes', () => {
    const heap = new MinHeap<number>((a, b) => a - b)
    const mirror: number[] = []
    let seed = 42
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % 1000
    }
    for (let round = 0; round < 2000; round++) {
      if (random() % 3 !== 0 || heap.size === 0) {
        const value = random()
        heap.push(value)
        mirror.push(value)
      } else {
        mirror.sort((a, b) => a - b)
        expect(heap.peek()).toBe(mirror[0])
        expect(heap.pop()).toBe(mirror.shift())
      }
      expect(heap.size).toBe(mirror.length)
    }
    mirror.sort((a, b) => a - b)
    const rest: number[] = []
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) rest.push(v)
    expect(rest).toEqual(mirror)
    expect(heap.pop()).toBeUndefined()
  })

  it('clears', () => {
    const heap = new MinHeap<number>((a, b) => a - b)
    heap.push(1)
    heap.clear()
    expect([heap.size, heap.peek()]).toEqual([0, undefined])
  })
})
