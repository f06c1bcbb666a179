/**
 * A streaming JSONL reader on Web APIs only (runs on Node, Deno, Bun and Cloudflare Workers). It holds at
 * most one partial line plus the current chunk, and reports exact byte positions so a line can later be
 * re-read from storage by `[offset, offset + length)`.
 *
 * The complete lines of a chunk are decoded together, up to 64 KiB of them per `TextDecoder.decode`
 * call, and split as a string (a decode and a byte search per line were most of the reader's time).
 * When the decoded text has as many UTF-16 units as the bytes it came from, every byte was ASCII and
 * character positions are byte positions; otherwise each line break is also found in the bytes, so
 * offsets stay exact bytes. Bytes that are not valid UTF-8 are decoded again line by line, so the bad
 * line is the one reported.
 */
import { defaultLimits } from '../limits.ts'
import { concatBytes, isBlank, isBlankText } from './bytes.ts'
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

/** Options of {@link readJsonlLines} and {@link readJsonlBlocks}. */
export interface ReadJsonlOptions {
  /** Longest line in bytes, without its line break (default `defaultLimits.maxLineBytes`, 16 MiB). */
  maxLineBytes?: number
  /**
   * When given, a line that is not valid UTF-8 is handed to this callback and skipped, and reading goes on
   * (lines are split on LF bytes, which never occur inside a UTF-8 sequence, so later lines are unaffected).
   * Without it such a line ends the read with a {@link JsonlError} `invalid_utf8`. The callback may throw to
   * stop reading; the throw propagates out of the generator. It is called after every line before the bad
   * one was handed out.
   */
  onInvalidUtf8?: (error: JsonlError) => void
}

const LF = 0x0a
const CR = 0x0d
const BOM = [0xef, 0xbb, 0xbf] as const
/** Bytes decoded at once, at most (unless one line is longer): strings this size stay in V8's young space. */
const decodeBytes = 64 * 1024

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
  for await (const block of readJsonlBlocks(stream, options)) yield* block
}

/**
 * {@link readJsonlLines} a chunk at a time: yields the lines completed by each chunk of `stream` as an
 * array (never empty; split in two where a line that is not UTF-8 is reported), in file order, with the
 * same errors at the same points. For hot loops over large files: one `await` per chunk, not per line.
 *
 * @example
 * for await (const lines of readJsonlBlocks(file.stream())) for (const line of lines) JSON.parse(line.text)
 */
export async function* readJsonlBlocks(
  stream: ReadableStream<Uint8Array>,
  options: ReadJsonlOptions = {},
): AsyncGenerator<JsonlLine[]> {
  const scanner = new JsonlScanner(options.maxLineBytes ?? defaultLimits.maxLineBytes)
  const onInvalidUtf8 = options.onInvalidUtf8
  const reader = stream.getReader()
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) scanner.end()
      else scanner.push(value)
      for (const segment of scanner.take()) {
        if (segment.lines.length > 0) yield segment.lines
        const error = segment.error
        if (error === null) continue
        if (error.code !== 'invalid_utf8' || !onInvalidUtf8) throw error
        onInvalidUtf8(error)
      }
      if (done) break
    }
    finished = true
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/** Lines found in a stretch of a JSONL file, then the error that ended the stretch, if any. */
export interface JsonlSegment {
  /** Non-blank lines, in file order (possibly none). */
  lines: JsonlLine[]
  /** `invalid_utf8` (the scanner goes on after it) or `line_too_long` (the scanner stopped); null if none. */
  error: JsonlError | null
}

/**
 * The line splitting of {@link readJsonlLines}, synchronous and push-driven, for callers that see the
 * bytes go by (e.g. while they are stored): {@link JsonlScanner.push} each chunk, {@link JsonlScanner.end}
 * at the end of the file, and {@link JsonlScanner.take} what was found since the last take. `push` throws
 * a {@link JsonlError} `bom` when the file starts with a byte order mark; the other errors end a
 * segment. After a `line_too_long` the scanner ignores further input.
 *
 * @example
 * const scanner = new JsonlScanner(1024 * 1024)
 * scanner.push(chunk)
 * for (const { lines, error } of scanner.take()) { … }
 */
export class JsonlScanner {
  readonly #maxLineBytes: number
  #decoder = newDecoder()
  /** Pieces of the current partial line (from earlier chunks) and their total size. */
  readonly #pieces: Uint8Array[] = []
  #pendingBytes = 0
  /** File offset of the current chunk. */
  #chunkOffset = 0
  /** 1-based number of the next line. */
  #index = 1
  /** How many leading bytes of the file matched the BOM so far; -1 once the file is known not to start with it. */
  #bomMatched = 0
  #stopped = false
  #lines: JsonlLine[] = []
  #segments: JsonlSegment[] = []

  /** `maxLineBytes`: longest line in bytes, without its line break; it bounds the memory a partial line takes. */
  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes
  }

  /** True once a `line_too_long` stopped the scanner. */
  get stopped(): boolean {
    return this.#stopped
  }

  /** Everything found since the last call, in file order. */
  take(): JsonlSegment[] {
    if (this.#lines.length > 0) {
      this.#segments.push({ lines: this.#lines, error: null })
      this.#lines = []
    }
    const segments = this.#segments
    this.#segments = []
    return segments
  }

  /**
   * Scans the next chunk of the file. Only a copy of the chunk's last partial line is kept, or the chunk
   * itself when it has no line break at all (so it must not be modified afterwards).
   */
  push(chunk: Uint8Array): void {
    if (this.#stopped || chunk.byteLength === 0) return
    if (this.#bomMatched >= 0) this.#bomMatched = matchBom(chunk, this.#bomMatched)
    let pos = 0
    if (this.#pendingBytes > 0) {
      const nl = chunk.indexOf(LF)
      if (nl === -1) {
        this.#keep(chunk, 0)
        return
      }
      this.#pieces.push(chunk.subarray(0, nl))
      const bytes = concatBytes(this.#pieces, this.#pendingBytes + nl)
      const offset = this.#chunkOffset - this.#pendingBytes
      this.#pieces.length = 0
      this.#pendingBytes = 0
      this.#byteLine(bytes, offset, true)
      if (this.#stopped) return
      pos = nl + 1
    }
    const last = chunk.lastIndexOf(LF)
    if (last >= pos) {
      this.#region(chunk, pos, last + 1)
      if (this.#stopped) return
      pos = last + 1
    }
    this.#keep(chunk, pos)
  }

  /** Keeps `chunk[pos…]`, the start of a line that continues in the next chunk, and moves past the chunk. */
  #keep(chunk: Uint8Array, pos: number): void {
    if (pos < chunk.byteLength) {
      // Copy a chunk's tail so the rest of the chunk can be freed (`slice` would not copy a Node Buffer);
      // a whole chunk is kept as is.
      const tail = pos === 0 ? chunk : new Uint8Array(chunk.subarray(pos))
      this.#pieces.push(tail)
      this.#pendingBytes += tail.byteLength
      // A final CR may still turn out to be half of a CRLF, so it does not count yet.
      if (this.#pendingBytes - (tail[tail.byteLength - 1] === CR ? 1 : 0) > this.#maxLineBytes) {
        this.#fail(this.#tooLong())
        return
      }
    }
    this.#chunkOffset += chunk.byteLength
  }

  /** The end of the file: the last line, when it has no line break. */
  end(): void {
    if (this.#stopped || this.#pendingBytes === 0) return
    const bytes = concatBytes(this.#pieces, this.#pendingBytes)
    const offset = this.#chunkOffset - this.#pendingBytes
    this.#pieces.length = 0
    this.#pendingBytes = 0
    this.#byteLine(bytes, offset, false)
  }

  /** The complete lines in `chunk[start, end)`, which starts a line and ends with LF. */
  #region(chunk: Uint8Array, start: number, end: number): void {
    // Decoded in pieces of about `decodeBytes`, each ending with a line break: V8 puts strings over
    // ~128 KiB in its large-object space, which made one decode of a 1 MiB chunk ~4× slower than 16.
    let from = start
    while (from < end && !this.#stopped) {
      const to = end - from <= decodeBytes ? end : chunk.lastIndexOf(LF, from + decodeBytes - 1) + 1
      const next = to > from ? to : chunk.indexOf(LF, from + decodeBytes) + 1
      this.#piece(chunk, from, next)
      from = next
    }
  }

  /** {@link #region} for one piece that is decoded at once. */
  #piece(chunk: Uint8Array, start: number, end: number): void {
    const bytes = chunk.subarray(start, end)
    let text: string
    try {
      text = this.#decoder.decode(bytes)
    } catch {
      this.#decoder = newDecoder()
      this.#regionByLine(chunk, start, end)
      return
    }
    const base = this.#chunkOffset + start
    const max = this.#maxLineBytes
    const lines = this.#lines
    let index = this.#index
    let at = 0
    if (text.length === bytes.byteLength) {
      // ASCII only: character positions are byte positions.
      while (at < text.length) {
        const nl = text.indexOf('\n', at)
        const stop = nl > at && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl
        if (stop - at > max) {
          this.#index = index
          this.#fail(this.#tooLong())
          return
        }
        if (!isBlankText(text, at, stop)) {
          lines.push({ index, offset: base + at, length: stop - at, text: text.slice(at, stop) })
        }
        index++
        at = nl + 1
      }
    } else {
      // Multibyte characters: find each line break in the bytes too (LF is one byte and one unit).
      let byte = start
      while (at < text.length) {
        const nl = text.indexOf('\n', at)
        const byteNl = chunk.indexOf(LF, byte)
        const cr = nl > at && text.charCodeAt(nl - 1) === CR ? 1 : 0
        const length = byteNl - cr - byte
        if (length > max) {
          this.#index = index
          this.#fail(this.#tooLong())
          return
        }
        if (!isBlankText(text, at, nl - cr)) {
          lines.push({ index, offset: this.#chunkOffset + byte, length, text: text.slice(at, nl - cr) })
        }
        index++
        at = nl + 1
        byte = byteNl + 1
      }
    }
    this.#index = index
  }

  /** {@link #region} one line at a time: the region is not valid UTF-8 and the bad lines must be named. */
  #regionByLine(chunk: Uint8Array, start: number, end: number): void {
    let at = start
    while (at < end && !this.#stopped) {
      const nl = chunk.indexOf(LF, at)
      this.#byteLine(chunk.subarray(at, nl), this.#chunkOffset + at, true)
      at = nl + 1
    }
  }

  /** One complete line from its bytes (without its LF); `stripCr` when a line break followed it. */
  #byteLine(bytes: Uint8Array, offset: number, stripCr: boolean): void {
    const end = bytes.byteLength
    const length = stripCr && end > 0 && bytes[end - 1] === CR ? end - 1 : end
    if (length > this.#maxLineBytes) {
      this.#fail(this.#tooLong())
      return
    }
    const index = this.#index++
    if (isBlank(bytes, length)) return
    let text: string
    try {
      text = this.#decoder.decode(length === end ? bytes : bytes.subarray(0, length))
    } catch {
      this.#decoder = newDecoder()
      this.#segments.push({
        lines: this.#lines,
        error: new JsonlError('invalid_utf8', index, `Line ${index} is not valid UTF-8.`),
      })
      this.#lines = []
      return
    }
    this.#lines.push({ index, offset, length, text })
  }

  #tooLong(): JsonlError {
    const index = this.#index
    return new JsonlError('line_too_long', index, `Line ${index} is longer than ${this.#maxLineBytes} bytes.`)
  }

  /** Ends the current segment with a fatal error and stops. */
  #fail(error: JsonlError): void {
    this.#segments.push({ lines: this.#lines, error })
    this.#lines = []
    this.#stopped = true
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
