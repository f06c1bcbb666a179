import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type BatchEndpoint, batchEndpoints } from '../wire/batch.ts'
import { validateInput } from './ingest.ts'
import { maxErrorMessageLength } from './line-error.ts'
import { unstorable } from './storable-text.ts'

/**
 * Property tests of the JSONL reader and validator on generated files: arbitrary bytes, and lines built
 * to hit the edges (NUL and unpaired surrogates, truncated UTF-8, CR/LF mixes, a BOM, deep nesting, huge
 * numbers, lines over the length limit). Whatever the input, validation resolves (never throws), and
 * every error is an OpenAI-style entry with a code, a bounded and storable message, and a line number
 * within the file; a clean result has one storable item per line.
 */

const limits = {
  maxRequestsPerBatch: 40,
  maxEmbeddingInputs: 200,
  maxLineBytes: 400,
  maxValidationErrors: 10,
}
const encoder = new TextEncoder()

/** Strings with the characters that break stores and parsers. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', 'a\ud83d', '\ud83d\ude00', '\u2028', '\r', '\n', '"', '\\'),
  fc.string({ unit: fc.constantFrom('a', '\u0000', '\ud800', '\udc00', 'é', '😀', ' ') }),
)

/** A JSON text, sometimes cut short or deeply nested. */
const jsonText = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.integer({ min: 1, max: 60 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.constantFrom(
    '1e999999',
    '-0',
    '{"a":1,"a":2}',
    '{',
    'null',
    '[]',
    'true',
    '"\\ud800"',
    '{"x":"\\u0000"}',
  ),
)

/** A request line, mostly well-formed, with a field made hostile now and then. */
const requestLine = (endpoint: BatchEndpoint) =>
  fc
    .record({
      custom_id: fc.oneof(
        fc.string({ minLength: 1, maxLength: 12 }),
        nasty,
        fc.integer(),
        fc.constant(undefined),
      ),
      method: fc.oneof(fc.constant('POST'), nasty),
      url: fc.oneof(fc.constant(endpoint), fc.constantFrom(...batchEndpoints), nasty),
      model: fc.oneof(fc.constant('m'), nasty, fc.constant(undefined), fc.integer()),
      extra: fc.oneof(fc.constant({}), fc.dictionary(nasty, fc.jsonValue(), { maxKeys: 3 })),
    })
    .map(({ custom_id, method, url, model, extra }) =>
      JSON.stringify({
        custom_id,
        method,
        url,
        body: {
          model,
          messages: [{ role: 'user', content: 'hi' }],
          input: 'x',
          prompt: 'p',
          ...extra,
        },
      }),
    )

/** A line's bytes: UTF-8 of a text, raw bytes, or a UTF-8 sequence cut short. */
const lineBytes = (endpoint: BatchEndpoint) =>
  fc.oneof(
    { weight: 6, arbitrary: requestLine(endpoint).map((t) => encoder.encode(t)) },
    { weight: 2, arbitrary: jsonText.map((t) => encoder.encode(t)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([0xe2, 0x82]), new Uint8Array([0xff, 0xfe])) },
    { weight: 1, arbitrary: fc.nat({ max: 600 }).map((n) => encoder.encode(`"${'x'.repeat(n)}"`)) },
  )

/** A whole file: lines joined by LF or CRLF, sometimes with a BOM, cut into random chunks. */
const file = fc.constantFrom(...batchEndpoints).chain((endpoint) =>
  fc.record({
    endpoint: fc.constant(endpoint),
    lines: fc.array(lineBytes(endpoint), { maxLength: 30 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    chunk: fc.integer({ min: 1, max: 97 }),
  }),
)

function bytesOf({ lines, crlf, bom }: { lines: Uint8Array[]; crlf: boolean; bom: boolean }): Uint8Array {
  const sep = crlf ? [0x0d, 0x0a] : [0x0a]
  const parts: number[] = bom ? [0xef, 0xbb, 0xbf] : []
  for (const line of lines) parts.push(...line, ...sep)
  return Uint8Array.from(parts)
}

function stream(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close()
      controller.enqueue(bytes.slice(at, at + chunk))
      at += chunk
    },
  })
}

describe('validateInput on generated files', () => {
  it('always resolves, with OpenAI-style errors that carry line numbers and storable, bounded messages', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const bytes = bytesOf(f)
        const result = await validateInput(stream(bytes, f.chunk), { endpoint: f.endpoint, limits })
        const lineCount = f.lines.length + 1
        expect(result.errors.length).toBeLessThanOrEqual(limits.maxValidationErrors)
        for (const error of result.errors) {
          expect(typeof error.code).toBe('string')
          expect(error.message.length).toBeLessThanOrEqual(maxErrorMessageLength + 1)
          expect(unstorable(error.message)).toBeNull()
          if (error.param !== null) expect(unstorable(error.param)).toBeNull()
          if (error.line !== null) {
            expect(Number.isInteger(error.line)).toBe(true)
            expect(error.line).toBeGreaterThanOrEqual(1)
            expect(error.line).toBeLessThanOrEqual(lineCount)
          }
        }
        if (result.ok) {
          expect(result.errors).toEqual([])
          expect(result.items).toHaveLength(result.total)
          for (const item of result.items) {
            expect(unstorable(item.customId)).toBeNull()
            expect(item.offset + item.length).toBeLessThanOrEqual(bytes.byteLength)
          }
          if (result.model !== null) expect(unstorable(result.model)).toBeNull()
        } else {
          expect(result.errors.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 1_500, seed: Number(process.env.FUZZ_SEED ?? 20261205) },
    )
  }, 120_000)

  it('reads the same file the same way however it is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(file, fc.integer({ min: 1, max: 97 }), async (f, other) => {
        const bytes = bytesOf(f)
        const ids = () => {
          let n = 0
          return () => `batch_req_${n++}`
        }
        const a = await validateInput(stream(bytes, f.chunk), { endpoint: f.endpoint, limits, newId: ids() })
        const b = await validateInput(stream(bytes, other), { endpoint: f.endpoint, limits, newId: ids() })
        expect(b).toEqual(a)
      }),
      { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? 20261205) },
    )
  }, 120_000)
})
