/**
 * Batch input files are validated while they upload (so creating a batch need not read them again),
 * and yet every line error still surfaces when the batch validates, exactly as when the file is read.
 */
import { type BatchObject, createBatchEngine, type FileObject, type Store } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import { describe, expect, it } from 'vitest'
import { expectJson, req } from './__fixtures__/http.ts'
import { createFetchHandler } from './fetch-handler.ts'

/** A router on a memory store that counts reads of each file's content. */
function serve() {
  const store = memoryStore()
  const reads = new Map<string, number>()
  const read = store.files.read.bind(store.files)
  const counted: Store = {
    ...store,
    files: {
      ...store.files,
      read(scope, id, range) {
        reads.set(id, (reads.get(id) ?? 0) + 1)
        return read(scope, id, range)
      },
    },
  }
  const engine = createBatchEngine({
    store: counted,
    providers: [mockProvider({ name: 'mock' })],
    secret: 'test-secret-test-secret-test-secret',
  })
  const handle = createFetchHandler({ engine })

  /** Uploads `content` as the openai SDK does: the file part first, then the purpose. */
  const upload = async (content: string): Promise<FileObject> => {
    const form = new FormData()
    form.append('file', new File([content], 'input.jsonl'))
    form.append('purpose', 'batch')
    return expectJson<FileObject>(await handle(req('POST', '/v1/files', { body: form })))
  }

  /** Creates a batch and runs its validate step; the batch afterwards, and the reads validation made. */
  const validate = async (fileId: string, endpoint = '/v1/chat/completions') => {
    const created = await expectJson<BatchObject>(
      await handle(
        req('POST', '/v1/batches', { json: { input_file_id: fileId, endpoint, completion_window: '24h' } }),
      ),
    )
    const before = reads.get(fileId) ?? 0
    let batch = created
    for (let i = 0; i < 20 && batch.status === 'validating'; i++) {
      await engine.runner.tick({ budgetMs: 0 })
      batch = await expectJson<BatchObject>(await handle(req('GET', `/v1/batches/${created.id}`)))
    }
    return { batch, reads: (reads.get(fileId) ?? 0) - before }
  }
  return { upload, validate }
}

const chatLine = (id: string, body: Record<string, unknown> = {}): string =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'mock-1', messages: [{ role: 'user', content: `hello ${id} é` }], ...body },
  })

describe('validation at upload', () => {
  it('starts a batch without reading its input again; a second batch on the file reads it', async () => {
    const { upload, validate } = serve()
    const file = await upload(Array.from({ length: 500 }, (_, i) => chatLine(`r${i}`)).join('\r\n'))
    const first = await validate(file.id)
    expect(first.batch.status).toBe('in_progress')
    expect(first.batch.request_counts.total).toBe(500)
    expect(first.reads).toBe(0)

    const second = await validate(file.id)
    expect(second.batch.status).toBe('in_progress')
    expect(second.batch.request_counts.total).toBe(500)
    expect(second.reads).toBe(1)
  })

  it('accepts a file with bad lines, and reports them when the batch validates', async () => {
    const { upload, validate } = serve()
    const file = await upload(
      [chatLine('a'), '{not json', chatLine('a'), chatLine('b', { stream: true }), chatLine('c')].join('\n'),
    )
    expect(file.status).toBe('processed')
    const { batch, reads } = await validate(file.id)
    expect(reads).toBe(1)
    expect(batch.status).toBe('failed')
    expect(batch.errors?.data.map((e) => [e.code, e.param, e.line])).toEqual([
      ['invalid_json_line', null, 2],
      ['duplicate_custom_id', 'custom_id', 3],
      ['streaming_unsupported', 'body.stream', 4],
    ])
  })

  it("reports every line's URL when the batch is for another endpoint than the file's lines", async () => {
    const { upload, validate } = serve()
    const file = await upload([chatLine('a'), chatLine('b')].join('\n'))
    const { batch, reads } = await validate(file.id, '/v1/embeddings')
    expect(reads).toBe(1)
    expect(batch.status).toBe('failed')
    expect(batch.errors?.data.map((e) => [e.code, e.line])).toEqual([
      ['invalid_url', 1],
      ['missing_required_parameter', 1],
      ['invalid_url', 2],
      ['missing_required_parameter', 2],
    ])
  })
})
