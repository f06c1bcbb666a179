import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.ts'
import type { Store } from '../contracts/store.ts'
import { createFilesService } from '../engine/files-service.ts'
import { chunkedStream, concat, utf8 } from '../jsonl/__fixtures__/streams.ts'
import { defaultLimits } from '../limits.ts'
import type { BatchEndpoint } from '../wire/batch.ts'
import { validateInput } from './ingest.ts'
import { ScannedInputs, UploadScan } from './ingest-index.ts'

const chatLine = (id: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${id} é` }], ...extra },
  })

const file = (n: number, line = chatLine): Uint8Array =>
  utf8(`${Array.from({ length: n }, (_, i) => line(`r${i}`)).join('\n')}\n`)

/** Reads a stream to its end; the byte count. */
async function drain(stream: ReadableStream<Uint8Array>, seen?: Uint8Array[]): Promise<number> {
  const reader = stream.getReader()
  let bytes = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return bytes
    bytes += value.byteLength
    seen?.push(value)
  }
}

/** Scans `bytes` as an upload of `fileId` into `kept`; whether the result was kept. */
async function upload(
  kept: ScannedInputs,
  fileId: string,
  bytes: Uint8Array,
  size = 64 * 1024,
): Promise<boolean> {
  const scan = new UploadScan(defaultLimits)
  const stored = await drain(scan.through(chunkedStream(bytes, size)))
  return scan.finish(kept, fileId, stored)
}

const expected = (bytes: Uint8Array, endpoint: BatchEndpoint = '/v1/chat/completions') => ({
  endpoint,
  bytes: bytes.byteLength,
  limits: defaultLimits,
})

describe('upload scan', () => {
  it('keeps a clean file, and gives the outcome validateInput gives (ids apart), once', async () => {
    const kept = new ScannedInputs()
    const bytes = file(3000)
    expect(await upload(kept, 'file-1', bytes)).toBe(true)
    const scanned = kept.take('file-1', expected(bytes))
    const read = await validateInput(chunkedStream(bytes, 1000), {
      endpoint: '/v1/chat/completions',
      limits: defaultLimits,
    })
    expect(scanned).not.toBeNull()
    const items = scanned!.items.slice(0, scanned!.items.length)
    expect({ ...scanned, items: items.map(({ id, ...rest }) => rest) }).toEqual({
      ...read,
      items: read.items.map(({ id, ...rest }) => rest),
    })
    expect(items.every((item) => /^batch_req_[0-9a-f]{24}$/.test(item.id))).toBe(true)
    expect(new Set(items.map((item) => item.id)).size).toBe(3000)
    expect(kept.take('file-1', expected(bytes))).toBeNull()
  })

  it('passes every byte on unchanged, whatever the chunks', async () => {
    const bytes = concat(file(50), new Uint8Array([0xff, 0x00, 0x0a]))
    for (const size of [1, 13, 4096]) {
      const seen: Uint8Array[] = []
      const scan = new UploadScan(defaultLimits)
      await drain(scan.through(chunkedStream(bytes, size)), seen)
      expect(concat(...seen)).toEqual(bytes)
      expect(scan.finish(new ScannedInputs(), 'f', bytes.byteLength)).toBe(false) // not a clean file
    }
  })

  it('keeps nothing for a file with any problem, so validation reads it and reports it', async () => {
    const kept = new ScannedInputs()
    const cases: Uint8Array[] = [
      utf8(`${chatLine('a')}\n{bad\n`),
      utf8(`${chatLine('a')}\n${chatLine('a')}\n`),
      utf8(`${chatLine('a')}\n${chatLine('b', { stream: true })}\n`),
      utf8(
        `${chatLine('a')}\n${JSON.stringify({ custom_id: 'b', method: 'POST', url: '/v1/embeddings', body: { model: 'gpt-4o-mini', input: 'x' } })}\n`,
      ),
      concat(new Uint8Array([0xef, 0xbb, 0xbf]), utf8(chatLine('a'))),
      utf8('\n\n'),
      utf8('%PDF-1.7 not json at all'),
      concat(utf8(`${chatLine('a')}\n`), new Uint8Array([0xc3, 0x0a])),
    ]
    for (const [i, bytes] of cases.entries()) {
      expect(await upload(kept, `f${i}`, bytes), `case ${i}`).toBe(false)
      expect(kept.take(`f${i}`, expected(bytes))).toBeNull()
    }
  })

  it('leaves a line longer than it follows to the validate step', async () => {
    const long = chatLine('a', { pad: 'x'.repeat(1024 * 1024) })
    expect(await upload(new ScannedInputs(), 'f', utf8(`${long}\n${chatLine('b')}`))).toBe(false)
  })

  it('applies only to the same endpoint, size and limits; a miss still uses up the entry', async () => {
    const kept = new ScannedInputs()
    const bytes = file(10)
    const misses = [
      expected(bytes, '/v1/responses'),
      { ...expected(bytes), bytes: bytes.byteLength + 1 },
      { ...expected(bytes), limits: { ...defaultLimits, maxRequestsPerBatch: 5 } },
      { ...expected(bytes), limits: { ...defaultLimits, maxLineBytes: 1000 } },
    ]
    for (const miss of misses) {
      expect(await upload(kept, 'f', bytes)).toBe(true)
      expect(kept.take('f', miss)).toBeNull()
      expect(kept.take('f', expected(bytes))).toBeNull()
    }
  })

  it('keeps results per store, forgets on request, and evicts the oldest past 100,000 items', async () => {
    const a = new ScannedInputs()
    const b = new ScannedInputs()
    const big = file(50_000, (id) =>
      JSON.stringify({
        custom_id: id,
        method: 'POST',
        url: '/v1/embeddings',
        body: { model: 'm', input: 'x' },
      }),
    )
    const small = file(5)
    expect(await upload(a, 'small', small)).toBe(true)
    expect(b.take('small', expected(small))).toBeNull()
    a.forget('small')
    expect(a.take('small', expected(small))).toBeNull()

    const embeddings = (bytes: Uint8Array) => expected(bytes, '/v1/embeddings')
    expect(await upload(a, 'one', big, 1024 * 1024)).toBe(true)
    expect(await upload(a, 'two', big, 1024 * 1024)).toBe(true)
    expect(await upload(a, 'three', big, 1024 * 1024)).toBe(true)
    expect(a.take('one', embeddings(big))).toBeNull()
    expect(a.take('two', embeddings(big))?.total).toBe(50_000)
    expect(a.take('three', embeddings(big))?.total).toBe(50_000)
  })

  it('passes errors and cancellation of the upload through unchanged, and keeps nothing', async () => {
    const failure = new Error('socket closed')
    let pulls = 0
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(utf8(`${chatLine('a')}\n`))
        else controller.error(failure)
      },
    })
    const scan = new UploadScan(defaultLimits)
    await expect(drain(scan.through(failing))).rejects.toBe(failure)
    expect(scan.finish(new ScannedInputs(), 'f', 0)).toBe(false)

    let cancelled: unknown
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(utf8(`${chatLine('a')}\n`))
      },
      cancel(reason) {
        cancelled = reason
      },
    })
    const reason = new Error('too large')
    const second = new UploadScan(defaultLimits)
    const reader = second.through(source).getReader()
    await reader.read()
    await reader.cancel(reason)
    expect(cancelled).toBe(reason)
    expect(second.finish(new ScannedInputs(), 'f', 100)).toBe(false)
  })
})

describe('files service and the upload scan', () => {
  /** A store with just what the files service touches, content counted and dropped. */
  function fakeStore(): Store {
    const files = {
      async writeContent(_id: string, content: ReadableStream<Uint8Array>) {
        return drain(content)
      },
      async insert() {},
      async delete() {
        return true
      },
      async purgeContent() {},
    }
    return { files, batches: { hasActiveInput: async () => false } } as unknown as Store
  }
  const clock = systemClock
  const scope = { ownerId: 'owner' }
  const body = (bytes: Uint8Array) => chunkedStream(bytes, 4096)

  it('scans a batch upload, or one whose purpose comes after the file, but no other purpose', async () => {
    const store = fakeStore()
    const scanned = new ScannedInputs()
    const files = createFilesService(store, clock, defaultLimits, scanned)
    const bytes = file(20)
    const batch = await files.upload(scope, body(bytes), { filename: 'in.jsonl', purpose: 'batch' })
    expect(scanned.take(batch.id, expected(bytes))?.total).toBe(20)

    const later = await files.receive(body(bytes))
    await files.create(scope, later, { filename: 'in.jsonl', purpose: 'batch' })
    expect(scanned.take(later.id, expected(bytes))?.total).toBe(20)

    const fineTune = await files.receive(body(bytes))
    await files.create(scope, fineTune, { filename: 'in.jsonl', purpose: 'fine-tune' })
    expect(scanned.take(fineTune.id, expected(bytes))).toBeNull()

    const user = await files.upload(scope, body(bytes), { filename: 'in.jsonl', purpose: 'user_data' })
    expect(scanned.take(user.id, expected(bytes))).toBeNull()
  })

  it('forgets the scan of a discarded upload and of a deleted file', async () => {
    const store = fakeStore()
    const scanned = new ScannedInputs()
    const files = createFilesService(store, clock, defaultLimits, scanned)
    const bytes = file(5)
    const rejected = await files.receive(body(bytes))
    await expect(
      files.create(scope, rejected, { filename: 'in.txt', purpose: 'batch' }),
    ).rejects.toMatchObject({
      code: 'invalid_file_format',
    })
    expect(scanned.take(rejected.id, expected(bytes))).toBeNull()

    const kept = await files.upload(scope, body(bytes), { filename: 'in.jsonl', purpose: 'batch' })
    await files.delete(scope, kept.id)
    expect(scanned.take(kept.id, expected(bytes))).toBeNull()
  })
})
