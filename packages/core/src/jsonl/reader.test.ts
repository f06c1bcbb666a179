import { describe, expect, it } from 'vitest'
import { chunkedStream, collect, concat, probedStream, splitStream, utf8 } from './__fixtures__/streams.ts'
import { JsonlError } from './error.ts'
import {
  type JsonlLine,
  JsonlScanner,
  type ReadJsonlOptions,
  readJsonlBlocks,
  readJsonlLines,
} from './reader.ts'

const read = (bytes: Uint8Array, cuts: number[] = [], options?: ReadJsonlOptions): Promise<JsonlLine[]> =>
  collect(readJsonlLines(splitStream(bytes, cuts), options))

/** The error a read ends with (fails the test when it does not throw a JsonlError). */
async function readError(
  stream: ReadableStream<Uint8Array>,
  options?: ReadJsonlOptions,
): Promise<JsonlError> {
  try {
    await collect(readJsonlLines(stream, options))
  } catch (error) {
    if (error instanceof JsonlError) return error
    throw error
  }
  throw new Error('expected a JsonlError')
}

/** Every line re-read from the file by its byte range decodes to its text. */
function expectExactRanges(bytes: Uint8Array, lines: JsonlLine[]): void {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  for (const line of lines) {
    expect(decoder.decode(bytes.slice(line.offset, line.offset + line.length))).toBe(line.text)
  }
}

describe('readJsonlLines', () => {
  it('reads LF lines with a trailing newline', async () => {
    const bytes = utf8('{"a":1}\n{"b":22}\n')
    expect(await read(bytes)).toEqual([
      { index: 1, offset: 0, length: 7, text: '{"a":1}' },
      { index: 2, offset: 8, length: 8, text: '{"b":22}' },
    ])
  })

  it('reads a last line without a trailing newline', async () => {
    const bytes = utf8('{"a":1}\n{"b":22}')
    expect(await read(bytes)).toEqual([
      { index: 1, offset: 0, length: 7, text: '{"a":1}' },
      { index: 2, offset: 8, length: 8, text: '{"b":22}' },
    ])
  })

  it('strips CRLF and keeps byte offsets exact', async () => {
    const bytes = utf8('{"a":1}\r\n{"b":2}\r\n{"c":3}')
    const lines = await read(bytes)
    expect(lines).toEqual([
      { index: 1, offset: 0, length: 7, text: '{"a":1}' },
      { index: 2, offset: 9, length: 7, text: '{"b":2}' },
      { index: 3, offset: 18, length: 7, text: '{"c":3}' },
    ])
    expectExactRanges(bytes, lines)
  })

  it('keeps a lone CR that is not part of CRLF', async () => {
    const bytes = utf8('a\rb\nc\r')
    expect(await read(bytes)).toEqual([
      { index: 1, offset: 0, length: 3, text: 'a\rb' },
      { index: 2, offset: 4, length: 2, text: 'c\r' },
    ])
  })

  it('skips blank and whitespace-only lines but counts them', async () => {
    const bytes = utf8('\n  \n{"a":1}\n\t \r\n\r\n{"b":2}\n\n')
    expect(await read(bytes)).toEqual([
      { index: 3, offset: 4, length: 7, text: '{"a":1}' },
      { index: 6, offset: 18, length: 7, text: '{"b":2}' },
    ])
  })

  it('yields nothing for an empty stream or a stream of empty chunks', async () => {
    expect(await read(new Uint8Array(0))).toEqual([])
    expect(
      await collect(readJsonlLines(probedStream([new Uint8Array(0), new Uint8Array(0)]).stream)),
    ).toEqual([])
    expect(await read(utf8('\n\n \r\n'))).toEqual([])
  })

  it('measures offsets and lengths in bytes with multibyte characters', async () => {
    const bytes = utf8('{"t":"é"}\n{"t":"日本"}\r\n{"t":"😀"}')
    const lines = await read(bytes)
    expect(lines.map((l) => [l.offset, l.length])).toEqual([
      [0, 10],
      [11, 14],
      [27, 12],
    ])
    expect(lines.map((l) => l.text)).toEqual(['{"t":"é"}', '{"t":"日本"}', '{"t":"😀"}'])
    expectExactRanges(bytes, lines)
  })

  describe('chunk boundaries', () => {
    const text = '{"a":"é"}\r\n\n  \n{"b":"日本😀"}\n\r\n{"c":1}\r\n{"d":"x"}'
    const bytes = utf8(text)

    it('gives the same lines for every single cut position', async () => {
      const expected = await read(bytes)
      expect(expected.map((l) => l.text)).toEqual(['{"a":"é"}', '{"b":"日本😀"}', '{"c":1}', '{"d":"x"}'])
      expectExactRanges(bytes, expected)
      for (let cut = 0; cut <= bytes.byteLength; cut++) {
        expect(await read(bytes, [cut]), `cut at ${cut}`).toEqual(expected)
      }
    })

    it('gives the same lines for every pair of cut positions', async () => {
      const expected = await read(bytes)
      for (let a = 1; a < bytes.byteLength; a++) {
        for (let b = a; b < bytes.byteLength; b++) {
          expect(await read(bytes, [a, b]), `cuts at ${a}, ${b}`).toEqual(expected)
        }
      }
    })

    it('gives the same lines when fed one byte at a time', async () => {
      const expected = await read(bytes)
      expect(await collect(readJsonlLines(chunkedStream(bytes, 1)))).toEqual(expected)
    })

    it('handles a CRLF split across chunks', async () => {
      const crlf = utf8('{"a":1}\r\n{"b":2}\r\n')
      const lines = await read(crlf, [8])
      expect(lines).toEqual([
        { index: 1, offset: 0, length: 7, text: '{"a":1}' },
        { index: 2, offset: 9, length: 7, text: '{"b":2}' },
      ])
    })

    it('handles a line spanning many chunks', async () => {
      const long = `{"x":"${'é'.repeat(5000)}"}`
      const file = utf8(`{"a":1}\n${long}\n{"b":2}`)
      const lines = await collect(readJsonlLines(chunkedStream(file, 7)))
      expect(lines.map((l) => l.text)).toEqual(['{"a":1}', long, '{"b":2}'])
      expectExactRanges(file, lines)
    })
  })

  describe('byte order mark', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf])

    it('rejects a BOM at the start of the file as line 1', async () => {
      const error = await readError(splitStream(concat(bom, utf8('{"a":1}\n'))))
      expect(error).toMatchObject({ code: 'bom', line: 1 })
    })

    it('rejects a BOM split across chunks', async () => {
      const bytes = concat(bom, utf8('{"a":1}\n'))
      for (const cuts of [[1], [2], [1, 2], [3]]) {
        expect(await readError(splitStream(bytes, cuts))).toMatchObject({ code: 'bom', line: 1 })
      }
    })

    it('rejects a file that is only a BOM', async () => {
      expect(await readError(splitStream(bom, [1, 2]))).toMatchObject({ code: 'bom', line: 1 })
    })

    it('reports a truncated BOM as invalid UTF-8', async () => {
      const bytes = concat(bom.subarray(0, 2), utf8('{}\n'))
      expect(await readError(splitStream(bytes, [1]))).toMatchObject({ code: 'invalid_utf8', line: 1 })
    })

    it('keeps a U+FEFF that starts a later line in the text', async () => {
      const bytes = concat(utf8('{"a":1}\n'), bom, utf8('{"b":2}\n'))
      const lines = await read(bytes)
      expect(lines[1]).toEqual({ index: 2, offset: 8, length: 10, text: '\uFEFF{"b":2}' })
    })
  })

  describe('invalid UTF-8', () => {
    const cases: [string, number[]][] = [
      ['a stray continuation byte', [0x80]],
      ['a truncated sequence', [0xe6, 0x97]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
      ['an invalid byte', [0xff]],
    ]
    for (const [name, bad] of cases) {
      it(`reports ${name} with its line number`, async () => {
        const bytes = concat(utf8('{"a":1}\n\n{"b":"'), new Uint8Array(bad), utf8('"}\n{"c":3}\n'))
        expect(await readError(splitStream(bytes))).toMatchObject({ code: 'invalid_utf8', line: 3 })
      })
    }

    it('reports a multibyte character truncated at the end of the file', async () => {
      const bytes = concat(utf8('{"a":1}\n{"b":"'), new Uint8Array([0xf0, 0x9f, 0x98]))
      expect(await readError(splitStream(bytes, [10]))).toMatchObject({ code: 'invalid_utf8', line: 2 })
    })

    it('skips invalid lines and goes on when onInvalidUtf8 is given', async () => {
      const bytes = concat(
        utf8('{"a":1}\n'),
        new Uint8Array([0xff]),
        utf8('\n{"c":"é"}\n'),
        new Uint8Array([0x80]),
      )
      const seen: JsonlError[] = []
      const lines = await read(bytes, [9, 12], { onInvalidUtf8: (e) => seen.push(e) })
      expect(lines.map((l) => [l.index, l.text])).toEqual([
        [1, '{"a":1}'],
        [3, '{"c":"é"}'],
      ])
      expect(seen.map((e) => [e.code, e.line])).toEqual([
        ['invalid_utf8', 2],
        ['invalid_utf8', 4],
      ])
      expectExactRanges(bytes, lines)
    })

    it('stops when onInvalidUtf8 throws, and cancels the stream', async () => {
      const probe = probedStream([utf8('{}\n'), new Uint8Array([0xff, 0x0a]), utf8('{}\n')])
      const stop = new Error('stop')
      await expect(
        collect(
          readJsonlLines(probe.stream, {
            onInvalidUtf8: () => {
              throw stop
            },
          }),
        ),
      ).rejects.toBe(stop)
      expect(probe.cancelled).toBe(true)
    })
  })

  describe('line length limit', () => {
    it('accepts a line of exactly maxLineBytes, with LF or CRLF', async () => {
      const line = `"${'x'.repeat(8)}"`
      for (const cuts of [[], [10], [11]]) {
        const lines = await read(utf8(`${line}\r\n${line}\n${line}`), cuts, { maxLineBytes: 10 })
        expect(lines.map((l) => l.length)).toEqual([10, 10, 10])
      }
    })

    it('rejects a line one byte over the limit with its line number', async () => {
      const bytes = utf8('"ok"\n\n"01234567890"\n"ok"\n')
      expect(await readError(splitStream(bytes), { maxLineBytes: 10 })).toMatchObject({
        code: 'line_too_long',
        line: 3,
      })
      for (let cut = 1; cut < bytes.byteLength; cut++) {
        expect(await readError(splitStream(bytes, [cut]), { maxLineBytes: 10 })).toMatchObject({
          code: 'line_too_long',
          line: 3,
        })
      }
    })

    it('rejects a too-long last line without a newline', async () => {
      expect(await readError(splitStream(utf8('{}\n12345678901'), [5]), { maxLineBytes: 10 })).toMatchObject({
        code: 'line_too_long',
        line: 2,
      })
    })

    it('stops reading as soon as the limit is passed, without buffering the rest', async () => {
      function* endless(): Generator<Uint8Array> {
        yield utf8('{"a":1}\n{"b":"')
        for (;;) yield new Uint8Array(1024).fill(0x61)
      }
      const probe = probedStream(endless())
      const error = await readError(probe.stream, { maxLineBytes: 64 * 1024 })
      expect(error).toMatchObject({ code: 'line_too_long', line: 2 })
      expect(probe.pulls).toBeLessThanOrEqual(66)
      expect(probe.cancelled).toBe(true)
    })

    it('defaults to 16 MiB', async () => {
      const big = new Uint8Array(16 * 1024 * 1024 + 1).fill(0x20)
      const error = await readError(chunkedStream(big, 1024 * 1024))
      expect(error).toMatchObject({ code: 'line_too_long', line: 1 })
    })
  })

  it('cancels the stream when the consumer stops early', async () => {
    const probe = probedStream([utf8('{"a":1}\n{"b":2}\n'), utf8('{"c":3}\n'), utf8('{"d":4}\n')])
    for await (const line of readJsonlLines(probe.stream)) {
      expect(line.index).toBe(1)
      break
    }
    expect(probe.cancelled).toBe(true)
    expect(probe.pulls).toBe(1)
  })

  it('passes stream errors through', async () => {
    const failure = new Error('storage failed')
    let pulls = 0
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulls++ === 0) controller.enqueue(utf8('{"a":1}\n{"b"'))
          else controller.error(failure)
        },
      },
      { highWaterMark: 0 },
    )
    const seen: number[] = []
    await expect(
      (async () => {
        for await (const line of readJsonlLines(stream)) seen.push(line.index)
      })(),
    ).rejects.toBe(failure)
    expect(seen).toEqual([1])
  })

  it('reads a 50,000-line file', async () => {
    const pad = 'x'.repeat(300)
    const parts: string[] = []
    for (let i = 0; i < 50_000; i++)
      parts.push(`{"custom_id":"r${i}","pad":"${pad}é"}${i % 2 ? '\r\n' : '\n'}`)
    const bytes = utf8(parts.join(''))
    let count = 0
    let last: JsonlLine | undefined
    for await (const line of readJsonlLines(chunkedStream(bytes, 64 * 1024))) {
      count++
      last = line
    }
    expect(count).toBe(50_000)
    expect(last?.index).toBe(50_000)
    expect(last && JSON.parse(last.text).custom_id).toBe('r49999')
    expectExactRanges(bytes, last ? [last] : [])
  })

  describe('large chunks (decoded a piece at a time)', () => {
    /** What the reader must find: lines split on LF bytes, one CR stripped before an LF, blanks skipped. */
    function reference(bytes: Uint8Array): JsonlLine[] {
      const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
      const lines: JsonlLine[] = []
      let start = 0
      for (let index = 1; start <= bytes.byteLength; index++) {
        let nl = bytes.indexOf(0x0a, start)
        const last = nl === -1
        if (last) nl = bytes.byteLength
        const end = !last && nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl
        const text = decoder.decode(bytes.subarray(start, end))
        if (!/^[ \t\r]*$/.test(text)) lines.push({ index, offset: start, length: end - start, text })
        start = nl + 1
      }
      return lines
    }

    /** A file mixing short and long (> 64 KiB) lines, ASCII and multibyte, LF and CRLF, and blank lines. */
    function mixedFile(): Uint8Array {
      const parts: string[] = []
      for (let i = 0; i < 400; i++) {
        const kind = i % 7
        const pad =
          kind === 3
            ? 'x'.repeat(70_000 + i)
            : kind === 5
              ? 'é日😀'.repeat(20_000)
              : kind === 4
                ? 'ü😀'.repeat((i % 50) + 1)
                : 'y'.repeat(i * 37)
        parts.push(kind === 6 ? ' \t ' : JSON.stringify({ i, pad }))
        parts.push(i % 3 === 0 ? '\r\n' : '\n')
      }
      parts.push('{"last":true}\r')
      return utf8(parts.join(''))
    }

    it('finds the same lines with exact byte ranges for every chunk size', async () => {
      const bytes = mixedFile()
      const expected = reference(bytes)
      expect(expected.length).toBeGreaterThan(300)
      for (const size of [bytes.byteLength, 1024 * 1024, 100_000, 65_536, 4_093]) {
        const lines = await collect(readJsonlLines(chunkedStream(bytes, size)))
        expect(lines, `chunks of ${size}`).toEqual(expected)
      }
      expectExactRanges(bytes, expected)
    })

    it('names an invalid line inside a large chunk and hands out every other line, in order', async () => {
      const good = (i: number) => utf8(`{"n":${i},"pad":"${'z'.repeat(1000)}"}\n`)
      const parts: Uint8Array[] = []
      for (let i = 1; i <= 300; i++) {
        parts.push(i === 150 ? concat(utf8('{"bad":"'), new Uint8Array([0xc3, 0x28]), utf8('"}\n')) : good(i))
      }
      const bytes = concat(...parts)
      const events: string[] = []
      for await (const line of readJsonlLines(chunkedStream(bytes, 1024 * 1024), {
        onInvalidUtf8: (error) => events.push(`bad ${error.line}`),
      })) {
        events.push(`line ${line.index}`)
      }
      const expected = Array.from({ length: 300 }, (_, i) => (i + 1 === 150 ? 'bad 150' : `line ${i + 1}`))
      expect(events).toEqual(expected)
    })

    it('hands out the lines before a too-long line in the same chunk, then fails', async () => {
      const bytes = utf8(`{"a":1}\n{"b":2}\n"${'x'.repeat(200)}"\n{"c":3}\n`)
      const seen: number[] = []
      const error = await (async () => {
        try {
          for await (const line of readJsonlLines(splitStream(bytes), { maxLineBytes: 100 }))
            seen.push(line.index)
        } catch (e) {
          return e
        }
      })()
      expect(seen).toEqual([1, 2])
      expect(error).toMatchObject({ code: 'line_too_long', line: 3 })
    })
  })

  describe('readJsonlBlocks', () => {
    it('yields the lines of each chunk as one non-empty array, the same lines as readJsonlLines', async () => {
      const bytes = utf8('{"a":1}\n\n{"b":2}\n{"c"')
      const more = utf8(':3}\n\n\n')
      const blocks = await collect(readJsonlBlocks(probedStream([bytes, more, utf8('{"d":4}')]).stream))
      expect(blocks.map((block) => block.map((line) => line.index))).toEqual([[1, 3], [4], [7]])
      const lines = await collect(readJsonlLines(probedStream([bytes, more, utf8('{"d":4}')]).stream))
      expect(blocks.flat()).toEqual(lines)
    })
  })

  describe('JsonlScanner', () => {
    it('finds the same lines when pushed chunks as the stream reader does', async () => {
      const bytes = utf8('{"a":"é"}\r\n\n{"b":1}\n{"c":2}')
      const scanner = new JsonlScanner(1024)
      const found: JsonlLine[] = []
      for (const cut of [
        [0, 5],
        [5, 12],
        [12, bytes.byteLength],
      ] as const) {
        scanner.push(bytes.subarray(cut[0], cut[1]))
        for (const segment of scanner.take()) found.push(...segment.lines)
      }
      scanner.end()
      for (const segment of scanner.take()) found.push(...segment.lines)
      expect(found).toEqual(await read(bytes))
    })

    it('ends a segment at an invalid line and goes on; stops for good at a too-long line', () => {
      const scanner = new JsonlScanner(10)
      scanner.push(concat(utf8('{}\n'), new Uint8Array([0xff]), utf8('\n{"a":1}\n"0123456789"\n{}\n')))
      const segments = scanner.take()
      expect(segments.map((s) => [s.lines.map((l) => l.index), s.error?.code, s.error?.line])).toEqual([
        [[1], 'invalid_utf8', 2],
        [[3], 'line_too_long', 4],
      ])
      expect(scanner.stopped).toBe(true)
      scanner.push(utf8('{}\n'))
      scanner.end()
      expect(scanner.take()).toEqual([])
    })

    it('throws bom when the file starts with a byte order mark', () => {
      const scanner = new JsonlScanner(1024)
      scanner.push(new Uint8Array([0xef, 0xbb]))
      expect(() => scanner.push(new Uint8Array([0xbf, 0x7b]))).toThrow(JsonlError)
    })
  })
})
