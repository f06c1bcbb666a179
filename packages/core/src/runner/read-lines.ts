import type { RequestItem } from '../contracts/records.ts'
import type { Scope } from '../contracts/scope.ts'
import type { FileStore } from '../contracts/store.ts'

const decoder = new TextDecoder()

/** Reads a whole byte range into one buffer of exactly `end - start` bytes. */
async function readRange(stream: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size)
  let at = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    const take = Math.min(value.byteLength, size - at)
    out.set(take === value.byteLength ? value : value.subarray(0, take), at)
    at += take
  }
  return at === size ? out : out.subarray(0, at)
}

/**
 * The text of input lines, read back from the input file by their byte ranges. Lines close together are
 * read in one range; a gap larger than `maxGap` bytes starts a new read, so scattered retries never read
 * the file between them.
 */
export async function readLineTexts(
  files: FileStore,
  scope: Scope,
  fileId: string,
  items: readonly RequestItem[],
  maxGap = 64 * 1024,
): Promise<Map<number, string>> {
  const sorted = [...items].sort((a, b) => a.offset - b.offset)
  const texts = new Map<number, string>()
  let i = 0
  while (i < sorted.length) {
    const first = sorted[i]!
    let end = first.offset + first.length
    let j = i + 1
    while (j < sorted.length && sorted[j]!.offset - end <= maxGap) {
      end = Math.max(end, sorted[j]!.offset + sorted[j]!.length)
      j++
    }
    const stream = await files.read(scope, fileId, { start: first.offset, end })
    if (stream) {
      const bytes = await readRange(stream, end - first.offset)
      // One decode for the whole range. When it gives one UTF-16 unit per byte (ASCII, the usual case),
      // character offsets are byte offsets and each line is a slice of it; otherwise decode line by line.
      const whole = decoder.decode(bytes)
      const aligned = whole.length === bytes.byteLength
      for (let k = i; k < j; k++) {
        const item = sorted[k]!
        const from = item.offset - first.offset
        if (from + item.length <= bytes.byteLength) {
          texts.set(
            item.index,
            aligned
              ? whole.slice(from, from + item.length)
              : decoder.decode(bytes.subarray(from, from + item.length)),
          )
        }
      }
    }
    i = j
  }
  return texts
}
