import { createBatchEngine, type Store } from '@batchkit/core'
import { createFetchHandler } from '@batchkit/hono'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import { createTestSchema } from '@batchkit/store-postgres/testing'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * The router on generated requests, over both stores: hostile paths, query strings, headers, JSON and
 * multipart bodies against every route. Whatever arrives, no answer is a 500, and every error is
 * OpenAI's envelope `{error:{message,type,param,code}}` with a 4xx status that fits its code.
 * 6,000 requests per store per run (12,000 in all); `FUZZ_SEED` replays a run.
 */

const runsPerStore = 6_000
const seed = Number(process.env.FUZZ_SEED ?? 20261205)

const stores: [string, () => Promise<{ store: Store; drop(): Promise<void> }>][] = [
  ['memory', async () => ({ store: memoryStore(), drop: async () => {} })],
  [
    'postgres',
    async () => {
      const schema = await createTestSchema('router_fuzz')
      return { store: schema.store(), drop: () => schema.drop() }
    },
  ],
]

/** Text a client might put anywhere: ordinary, empty, huge, percent-encoded junk, control characters. */
const junk = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '%00', '%ED%A0%80', '%F0%9F', '..', '%2F', '%', '%zz', ' ', '\t', '"', "'", 'é', '😀'),
  fc.string({ unit: 'grapheme', maxLength: 8 }).map(encodeURIComponent),
  fc.nat({ max: 3000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: -5, max: 200_000 }).map(String),
)

/** Requests: a route template, filled with the tenant's real ids or with junk. */
function requests(ids: { file: string; batch: string }) {
  const id = fc.oneof(fc.constantFrom(ids.file, ids.batch, 'file-abc', 'batch_abc'), junk)
  const query = fc
    .array(
      fc.tuple(fc.constantFrom('after', 'limit', 'order', 'purpose', 'x', 'limit[]'), fc.oneof(junk, id)),
      { maxLength: 4 },
    )
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''))
  const route = fc.oneof(
    fc.constant(['POST', '/files']),
    fc.constant(['GET', '/files']),
    id.map((x) => ['GET', `/files/${x}`]),
    id.map((x) => ['GET', `/files/${x}/content`]),
    id.map((x) => ['DELETE', `/files/${x}`]),
    fc.constant(['POST', '/batches']),
    fc.constant(['GET', '/batches']),
    id.map((x) => ['GET', `/batches/${x}`]),
    id.map((x) => ['POST', `/batches/${x}/cancel`]),
    fc
      .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), junk)
      .map(([m, p]) => [m, `/${p}`]),
  )
  const jsonBody = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record({
        input_file_id: fc.oneof(id, fc.jsonValue()),
        endpoint: fc.oneof(fc.constantFrom('/v1/chat/completions', '/v1/embeddings'), junk),
        completion_window: fc.oneof(fc.constant('24h'), junk),
        metadata: fc.oneof(
          fc.constant(undefined),
          fc.dictionary(junk, fc.oneof(junk, fc.jsonValue()), { maxKeys: 20 }),
        ),
        output_expires_after: fc.oneof(fc.constant(undefined), fc.jsonValue()),
      })
      .map((body) => JSON.stringify(body)),
    junk,
  )
  const multipart = fc
    .record({
      purpose: fc.oneof(fc.constantFrom('batch', 'fine-tune', 'user_data'), junk),
      filename: fc.oneof(fc.constantFrom('in.jsonl', 'a.txt', ''), junk),
      content: fc.oneof(
        fc.constant('{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}\n'),
        junk,
        fc.jsonValue().map((v) => `${JSON.stringify(v)}\n`),
      ),
      fileFirst: fc.boolean(),
      truncate: fc.nat({ max: 40 }),
    })
    .map(({ purpose, filename, content, fileFirst, truncate }) => {
      const b = 'fuzzboundary'
      const file = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/jsonl\r\n\r\n${content}\r\n`
      const field = `--${b}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n${purpose}\r\n`
      const body = `${fileFirst ? file + field : field + file}--${b}--\r\n`
      return {
        body: truncate > 30 ? body.slice(0, body.length - truncate) : body,
        type: `multipart/form-data; boundary=${b}`,
      }
    })
  const body = fc.oneof(
    fc.constant(undefined),
    jsonBody.map((text) => ({ body: text, type: 'application/json' })),
    multipart,
    fc
      .tuple(junk, fc.constantFrom('text/plain', 'multipart/form-data', 'application/json; charset=x', ''))
      .map(([text, type]) => ({
        body: text,
        type,
      })),
  )
  const headers = fc.record({
    authorization: fc.oneof(
      { weight: 8, arbitrary: fc.constant('Bearer fuzz-tenant') },
      { weight: 1, arbitrary: fc.constant('Bearer other-tenant') },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: junk },
    ),
    provider: fc.oneof({ weight: 4, arbitrary: fc.constant('mock') }, fc.constant(undefined), junk),
    idempotency: fc.oneof(fc.constant(undefined), junk),
  })
  return fc.record({ route, query, body, headers })
}

/** Header values HTTP can carry (a Request refuses the rest before it reaches any server). */
const headerSafe = (value: string): boolean =>
  /^[\t\x20-\x7e\x80-\xff]*$/.test(value) && value.trim() === value

describe.each(stores)('router fuzz on the %s store', (_name, open) => {
  let drop: (() => Promise<void>) | undefined
  afterAll(async () => drop?.())

  it(`answers ${runsPerStore} generated requests without a 500, every error in OpenAI's envelope`, async () => {
    const opened = await open()
    drop = opened.drop
    const engine = createBatchEngine({
      store: opened.store,
      providers: [mockProvider({ name: 'mock' })],
      secret: 'fuzz-secret-0123456789',
    })
    const handle = createFetchHandler({ engine })
    const seedFile = await handle(
      new Request('http://fuzz/v1/files', {
        method: 'POST',
        headers: { authorization: 'Bearer fuzz-tenant' },
        body: (() => {
          const form = new FormData()
          form.append('purpose', 'batch')
          form.append(
            'file',
            new File(
              ['{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}\n'],
              'in.jsonl',
            ),
          )
          return form
        })(),
      }),
    )
    const file = ((await seedFile.json()) as { id: string }).id
    const seedBatch = await handle(
      new Request('http://fuzz/v1/batches', {
        method: 'POST',
        headers: {
          authorization: 'Bearer fuzz-tenant',
          'content-type': 'application/json',
          'x-provider': 'mock',
        },
        body: JSON.stringify({
          input_file_id: file,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
        }),
      }),
    )
    const batch = ((await seedBatch.json()) as { id: string }).id
    const statuses = new Map<number, number>()

    await fc.assert(
      fc.asyncProperty(requests({ file, batch }), async ({ route, query, body, headers }) => {
        const [method, path] = route as [string, string]
        const init: RequestInit & { headers: Record<string, string> } = { method, headers: {} }
        if (headers.authorization !== undefined && headerSafe(headers.authorization))
          init.headers.authorization = headers.authorization
        if (headers.provider !== undefined && headerSafe(headers.provider))
          init.headers['x-provider'] = headers.provider
        if (headers.idempotency !== undefined && headerSafe(headers.idempotency))
          init.headers['idempotency-key'] = headers.idempotency
        if (body !== undefined && method !== 'GET' && method !== 'HEAD') {
          init.body = body.body
          if (headerSafe(body.type)) init.headers['content-type'] = body.type
        }
        let request: Request
        try {
          request = new Request(`http://fuzz/v1${path}${query}`, init)
        } catch {
          return // not a request any client could send
        }
        const res = await handle(request)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        const text = await res.text()
        expect(res.status, `${method} ${path}${query} → ${text.slice(0, 300)}`).toBeLessThan(500)
        if (res.status >= 400) {
          const parsed = JSON.parse(text) as { error: Record<string, unknown> }
          expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'param', 'type'])
          expect(typeof parsed.error.message).toBe('string')
          expect(parsed.error.message).not.toMatch(/\bat .*\.ts:\d+/)
          expect(res.headers.get('x-request-id')).toMatch(/^req_/)
        }
      }),
      { numRuns: runsPerStore, seed },
    )
    console.log(
      `[router fuzz] ${runsPerStore} requests, statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    )
  }, 300_000)
})
