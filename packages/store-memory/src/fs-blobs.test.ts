import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fsBlobs } from './fs-blobs.ts'

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

async function text(stream: ReadableStream<Uint8Array> | null): Promise<string | null> {
  return stream === null ? null : new Response(stream).text()
}

const encode = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('fsBlobs', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'batchkit-fs-blobs-'))
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('creates its directory and keeps every id inside it, each in its own file', async () => {
    const dir = join(root, 'nested', 'files')
    const blobs = fsBlobs(dir)
    const ids = ['../escape', 'a/b', '', '.', '..', '%41', 'A', '.hidden', 'x.tmp']
    for (const id of ids) await blobs.write(id, streamOf([encode(`content of ${id}`)]))
    for (const id of ids) expect(await text(await blobs.read(id))).toBe(`content of ${id}`)
    expect(await readdir(root)).toEqual(['nested'])
    const names = await readdir(dir)
    expect(names).toHaveLength(ids.length)
    expect(names.every((name) => !name.startsWith('.') && !name.includes('/'))).toBe(true)
  })

  it('leaves no file behind when a write fails, and keeps earlier content', async () => {
    const dir = join(root, 'files')
    const blobs = fsBlobs(dir)
    await blobs.write('f', streamOf([encode('old')]))
    await expect(blobs.write('f', streamOf([encode('0123456789')]), 4)).rejects.toMatchObject({
      code: 'file_too_large',
    })
    await expect(blobs.write('g', streamOf([encode('0123456789')]), 4)).rejects.toMatchObject({
      code: 'file_too_large',
    })
    expect(await readdir(dir)).toEqual(['f'])
    expect(await text(await blobs.read('f'))).toBe('old')
    expect(await blobs.read('g')).toBeNull()
  })

  it('reads ranges, including empty and clamped ones, across its read chunks', async () => {
    const blobs = fsBlobs(root)
    const big = new Uint8Array(200_000).map((_, i) => i % 256)
    await blobs.write('big', streamOf([big.slice(0, 100_000), big.slice(100_000)]))
    const part = new Uint8Array(
      await new Response(await blobs.read('big', { start: 65_000, end: 140_000 })).arrayBuffer(),
    )
    expect(part.byteLength).toBe(75_000)
    expect(part[0]).toBe(65_000 % 256)
    expect(part[74_999]).toBe(139_999 % 256)
    expect(await text(await blobs.read('big', { start: 5, end: 5 }))).toBe('')
    const tail = await new Response(await blobs.read('big', { start: 199_999, end: 400_000 })).arrayBuffer()
    expect(tail.byteLength).toBe(1)
  })

  it('keeps serving a reader that opened the file before it was deleted', async () => {
    const blobs = fsBlobs(root)
    await blobs.write('h', streamOf([encode('still here')]))
    const reading = await blobs.read('h')
    await blobs.delete('h')
    await blobs.delete('h')
    expect(await text(reading)).toBe('still here')
    expect(await blobs.read('h')).toBeNull()
  })

  it('releases the file when a reader cancels', async () => {
    const blobs = fsBlobs(root)
    await blobs.write('i', streamOf([new Uint8Array(300_000)]))
    const reader = (await blobs.read('i'))!.getReader()
    await reader.read()
    await reader.cancel()
    await blobs.delete('i')
    expect(await readdir(root)).toEqual([])
  })

  it('hands out plain Uint8Array chunks that own exactly the bytes read', async () => {
    const blobs = fsBlobs(root)
    const big = new Uint8Array(2_500_000).map((_, i) => (i * 7) % 256)
    await blobs.write('j', streamOf([big]))
    const reader = (await blobs.read('j', { start: 3, end: 2_500_000 }))!.getReader()
    const chunks: Uint8Array[] = []
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
    }
    expect(chunks.length).toBeGreaterThan(1)
    for (const chunk of chunks) {
      expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype)
      expect(chunk.buffer.byteLength).toBe(chunk.byteLength)
    }
    const joined = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.byteLength, 0))
    chunks.reduce((at, chunk) => {
      joined.set(chunk, at)
      return at + chunk.byteLength
    }, 0)
    expect(joined).toEqual(big.subarray(3))
  })
})
