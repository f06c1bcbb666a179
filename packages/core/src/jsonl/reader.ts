/**
 * A streaming JSONL reader on Web APIs only (runs on Node, Deno, Bun and Cloudflare Workers). It holds at
 * most one partial line plus the current chunk, and reports exact byte positions so a line can later be
 * re-read from storage by `[offset, offset + length)`.
 */
import { defaultLimits } from '../limits.ts'
import { concatBytes, isBlank } from './bytes.ts'
import { JsonlError } from './error.ts'

/** One non-blank line of a JSONL file. */
export interface JsonlLine {
  /** 1-based line number; blank lines are skipped but counted. */
  index: number
  /** Byte offset of the start of the line in the file. */
  offset: number
  /** Byte length of the line, without its `\n` or `\r\n`. */
  length: number
  /** The line decoded as UTF-8, without its line break. */
  text: string
}

/** Options of {@link readJsonlLines}. */
export interface ReadJsonlOptions {
  /** Longest line in bytes, without its line break (default `defaultLimits.maxLineBytes`, 16 MiB). */
  maxLineBytes?: number
  /**
   * When given, a line that is not valid UTF-8 is handed to this callback and skipped, and reading goes on
   * (lines are split on LF bytes, which never occur inside a UTF-8 sequence, so later lines are unaffected).
   * Without it such a line ends the read with a {@link JsonlError} `invalid_utf8`. The callback may throw to
   * stop reading; the throw propagates out of the generator.
   */
  onInvalidUtf8?: (error: JsonlError) => void
}

const LF = 0x0a
const CR = 0x0d
const BOM = [0xef, 0xbb, 0xbf] as const

/**
 * Reads `stream` as JSONL, yielding each non-blank line with its 1-based number and exact byte position.
 *
 * LF and CRLF line breaks both work, with or without a final line break. Lines made only of spaces, tabs
 * and CRs are skipped (but counted). Throws {@link JsonlError}: `bom` (line 1) when the file starts with a
 * UTF-8 byte order mark, `invalid_utf8` for a line that is not valid UTF-8 (unless `onInvalidUtf8` is
 * given), `line_too_long` as soon as a line passes `maxLineBytes`. The stream is consumed: when reading
 * stops early (an error, or the consumer leaves the loop) it is cancelled.
 *
 * @example
 * for await (const line of readJsonlLines(file.stream())) JSON.parse(line.text)
 */
export async function* readJsonlLines(
  stream: ReadableStream<Uint8Array>,
  options: ReadJsonlOptions = {},
): AsyncGenerator<JsonlLine> {
  const maxLineBytes = options.maxLineBytes ?? defaultLimits.maxLineBytes
  const onInvalidUtf8 = options.onInvalidUtf8
  let decoder = newDecoder()
  const reader = stream.getReader()

  /** Pieces of the current partial line (from earlier chunks) and their total size. */
  const pieces: Uint8Array[] = []
  let pendingBytes = 0
  /** File offset of the current chunk and of the current line. */
  let chunkOffset = 0
  let lineOffset = 0
  let index = 1
  /** How many leading bytes of the file matched the BOM so far; -1 once the file is known not to start with it. */
  let bomMatched = 0
  let finished = false

  const tooLong = (): JsonlError =>
    new JsonlError('line_too_long', index, `Line ${index} is longer than ${maxLineBytes} bytes.`)

  /** Decodes a complete line; null when it is blank or (with `onInvalidUtf8`) not valid UTF-8. */
  const toLine = (bytes: Uint8Array, length: number): JsonlLine | null => {
    if (length > maxLineBytes) throw tooLong()
    if (isBlank(bytes, length)) return null
    let text: string
    try {
      text = decoder.decode(length === bytes.byteLength ? bytes : bytes.subarray(0, length))
    } catch {
      decoder = newDecoder()
      const error = new JsonlError('invalid_utf8', index, `Line ${index} is not valid UTF-8.`)
      if (!onInvalidUtf8) throw error
      onInvalidUtf8(error)
      return null
    }
    return { index, offset: lineOffset, length, text }
  }

  try {
    for (;;) {
      const { done, value: chunk } = await reader.read()
      if (done) break
      if (chunk.byteLength === 0) continue
      if (bomMatched >= 0) bomMatched = matchBom(chunk, bomMatched)

      let pos = 0
      for (;;) {
        const nl = chunk.indexOf(LF, pos)
        if (nl === -1) break
        let bytes: Uint8Array
        if (pendingBytes === 0) {
          bytes = chunk.subarray(pos, nl)
        } else {
          pieces.push(chunk.subarray(0, nl))
          bytes = concatBytes(pieces, pendingBytes + nl)
          pieces.length = 0
          pendingBytes = 0
        }
        const end = bytes.byteLength
        const line = toLine(bytes, end > 0 && bytes[end - 1] === CR ? end - 1 : end)
        pos = nl + 1
        lineOffset = chunkOffset + pos
        index++
        if (line) yield line
      }

      if (pos < chunk.byteLength) {
        // Copy a chunk's tail so the rest of the chunk can be freed; a whole chunk is kept as is.
        const tail = pos === 0 ? chunk : chunk.slice(pos)
        pieces.push(tail)
        pendingBytes += tail.byteLength
        // A final CR may still turn out to be half of a CRLF, so it does not count yet.
        if (pendingBytes - (tail[tail.byteLength - 1] === CR ? 1 : 0) > maxLineBytes) throw tooLong()
      }
      chunkOffset += chunk.byteLength
    }

    if (pendingBytes > 0) {
      const line = toLine(concatBytes(pieces, pendingBytes), pendingBytes)
      pieces.length = 0
      if (line) yield line
    }
    finished = true
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/** A strict UTF-8 decoder that keeps a leading U+FEFF in the text (a BOM inside a line is not stripped). */
function newDecoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
}

/**
 * Continues matching the UTF-8 BOM against the first bytes of the file; `matched` bytes matched so far.
 * Returns the new count, or -1 once the file cannot start with a BOM. Throws `bom` on a full match.
 */
function matchBom(chunk: Uint8Array, matched: number): number {
  let m = matched
  for (let i = 0; i < chunk.byteLength && m < BOM.length; i++, m++) {
    if (chunk[i] !== BOM[m]) return -1
  }
  if (m === BOM.length) {
    throw new JsonlError(
      'bom',
      1,
      'The file starts with a UTF-8 byte order mark (BOM). Save it as UTF-8 without BOM.',
    )
  }
  return m
}
