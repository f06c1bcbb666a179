import { describe, expect, it } from 'vitest'
import type { RequestItem } from '../contracts/records.ts'
import type { FileStore } from '../contracts/store.ts'
import { readLineTexts } from './read-lines.ts'

/** A file store holding one file, serving byte ranges in small chunks; counts the reads. */
function oneFile(text: string): { files: FileStore; reads: number } {
  const bytes = new TextEncoder().encode(text)
  const state = { reads: 0, files: {} as FileStore }
  state.files = {
    async read(_scope, _id, range) {
      state.reads++
      const slice = bytes.subarray(range?.start ?? 0, range?.end ?? bytes.byteLength)
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < slice.byteLength; at += 7) controller.enqueue(slice.subarray(at, at + 7))
          controller.close()
        },
      })
    },
  } as FileStore
  return state
}

/** The items of `lines` joined by `\n`, with their byte ranges. */
function items(lines: string[]): { text: string; items: RequestItem[] } {
  const encoder = new TextEncoder()
  let offset = 0
  const out: RequestItem[] = []
  lines.forEach((line, i) => {
    const length = encoder.encode(line).byteLength
    out.push({ index: i + 1, id: `batch_req_${i}`, customId: `c${i}`, offset, length })
    offset += length + 1
  })
  return { text: lines.join('\n'), items: out }
}

describe('readLineTexts', () => {
  it('reads lines close together in one range, ASCII or not, and scattered ones apart', async () => {
    const lines = [
      '{"custom_id":"a","body":{"x":1}}',
      '{"custom_id":"b","body":{"x":"héllo wörld ✓ 🎉"}}',
      '{"custom_id":"c","body":{"x":3}}',
      'x'.repeat(200),
      '{"custom_id":"d","body":{"x":"\\u00e9"}}',
    ]
    for (const picked of [
      [0, 2],
      [0, 1, 2],
      [1, 2, 4],
      [0, 4],
    ]) {
      const file = items(lines)
      const state = oneFile(file.text)
      const wanted = picked.map((i) => file.items[i]!)
      const texts = await readLineTexts(state.files, { ownerId: 'o' }, 'file-1', wanted, 100)
      expect([...texts.entries()].sort(([a], [b]) => a - b)).toEqual(picked.map((i) => [i + 1, lines[i]]))
      expect(state.reads).toBe(picked.includes(4) && picked.some((i) => i < 3) ? 2 : 1)
    }
  })
})
