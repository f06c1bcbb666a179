import { BatchkitError } from '@batchkit/core'
import { describe, expect, it } from 'vitest'
import { memoryBlobs } from './memory-blobs.ts'

const streamOf = (chunks: Uint8Array[]): ReadableStream<Uint8Array> => {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[i++]
      if (chunk === undefined) controller.close()
      else controller.enqueue(chunk)
    },
  })
}

async function chunksOf(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  if (stream === null) return out
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) out.push(chunk)
  return out
}

const joined = (chunks: Uint8Array[]): number[] => chunks.flatMap((c) => [...c])

describe('memoryBlobs', () => {
  it('coalesces tiny chunks into segments of at most 64 KiB', async () => {
    const blobs = memoryBlobs()
    const tiny = Array.from({ length: 100_000 }, (_, i) => Uint8Array.of(i % 251, (i + 1) % 251))
    expect(await blobs.write('a', streamOf(tiny))).toBe(200_000)
    const chunks = await chunksOf(await blobs.read('a'))
    expect(chunks.length).toBe(Math.ceil(200_000 / 65_536))
    expect(chunks.every((c) => c.byteLength <= 65_536)).toBe(true)
    const all = joined(chunks)
    expect(all.length).toBe(200_000)
    expect(all.slice(0, 6)).toEqual([0, 1, 1, 2, 2, 3])
  })

  it('keeps large chunks as they are and serves a range from the segments it spans', async () => {
    const blobs = memoryBlobs()
    const big = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)
    await blobs.write('b', streamOf([big(70_000, 1), Uint8Array.of(2, 3), big(80_000, 4)]))
    const chunks = await chunksOf(await blobs.read('b', { start: 69_999, end: 70_003 }))
    expect(chunks.map((c) => [...c])).toEqual([[1], [2, 3], [4]])
    expect(joined(await chunksOf(await blobs.read('b', { start: 150_001, end: 999_999 })))).toEqual([4])
    expect(await chunksOf(await blobs.read('b', { start: 10, end: 5 }))).toEqual([])
  })

  it('reads lazily: one segment per pull', async () => {
    const blobs = memoryBlobs()
    await blobs.write(
      'c',
      streamOf([new Uint8Array(100_000), new Uint8Array(100_000), new Uint8Array(100_000)]),
    )
    const reader = (await blobs.read('c'))!.getReader()
    const first = await reader.read()
    expect(first.value?.byteLength).toBe(100_000)
    await reader.cancel()
  })

  it('shares no memory with the writer or the reader', async () => {
    const blobs = memoryBlobs()
    const source = Uint8Array.of(1, 2, 3)
    await blobs.write('d', streamOf([source]))
    source[0] = 9
    const [read] = await chunksOf(await blobs.read('d'))
    read![1] = 9
    expect(joined(await chunksOf(await blobs.read('d')))).toEqual([1, 2, 3])
  })

  it('keeps the previous content when a rewrite fails, and serves a snapshot to running readers', async () => {
    const blobs = memoryBlobs()
    await blobs.write('e', streamOf([Uint8Array.of(1, 2)]))
    const error = await blobs.write('e', streamOf([new Uint8Array(10)]), 5).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BatchkitError)
    const reading = await blobs.read('e')
    await blobs.delete('e')
    expect(joined(await chunksOf(reading))).toEqual([1, 2])
    expect(await blobs.read('e')).toBeNull()
  })

  it('rejects chunks that are not bytes', async () => {
    const blobs = memoryBlobs()
    const strings = new ReadableStream({
      start(controller) {
        controller.enqueue('text')
        controller.close()
      },
    }) as unknown as ReadableStream<Uint8Array>
    await expect(blobs.write('f', strings)).rejects.toThrow(TypeError)
    expect(await blobs.read('f')).toBeNull()
  })
})
