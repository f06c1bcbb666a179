import { type BatchEngine, createBatchEngine, type Scope } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { describe, expect, it } from 'vitest'
import type { Authorize } from '../auth.ts'
import { createBatchRouter } from '../router.ts'
import { createMonitor } from './monitor.ts'

/** The tenant is the `tenant` cookie; without it, 401. */
const cookieAuthorize: Authorize = (c) => {
  const tenant = getCookie(c, 'tenant')
  return tenant ? { ownerId: tenant } : c.text('log in first', 401)
}

const hostile = {
  filename: '"><img src=x onerror="window.__xss=1">.jsonl',
  metadata: { note: '<script>window.__xss=1</script>', 'k"ey': "v'&<" },
  url: '/v1/<img src=x onerror="window.__xss=1">',
}

function line(customId: string, url = '/v1/chat/completions'): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url,
    body: { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] },
  })
}

async function createBatch(
  engine: BatchEngine,
  scope: Scope,
  lines: string[],
  filename = 'input.jsonl',
  metadata?: Record<string, string>,
) {
  const file = await engine.files.upload(
    scope,
    new Blob([lines.join('\n')]).stream() as ReadableStream<Uint8Array>,
    { filename, purpose: 'batch' },
  )
  return engine.batches.create(
    scope,
    { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata },
    { provider: 'mock' },
  )
}

async function setup() {
  const engine = createBatchEngine({
    store: memoryStore(),
    providers: [mockProvider({ name: 'mock' })],
    secret: 'test-secret-test-secret-test-secret',
  })
  const app = new Hono()
  app.route('/v1', createBatchRouter({ engine, authorize: cookieAuthorize }))
  app.route('/monitor', createMonitor({ engine, authorize: cookieAuthorize, refreshMs: 500 }))
  const get = (path: string, tenant: string | null = 'alice') =>
    app.request(path, { headers: tenant === null ? {} : { cookie: `tenant=${tenant}` } })
  return { engine, app, get }
}

async function settle(engine: BatchEngine): Promise<void> {
  for (let i = 0; i < 100; i++) if (!(await engine.runner.tick({ budgetMs: 200 })).more) return
}

describe('createMonitor', () => {
  it('lists the tenant’s batches with progress, counts, errors and download links, everything escaped', async () => {
    const { engine, get } = await setup()
    const alice: Scope = { ownerId: 'alice' }
    const done = await createBatch(engine, alice, [line('a'), line('b'), line('c')])
    const bad = await createBatch(
      engine,
      alice,
      [line('x'), line('y', hostile.url)],
      hostile.filename,
      hostile.metadata,
    )
    await createBatch(engine, { ownerId: 'bob' }, [line('z')], 'bobs-secret.jsonl')
    await settle(engine)

    const res = await get('/monitor')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(res.headers.get('cache-control')).toBe('no-store')
    const page = await res.text()

    // Alice's two batches, newest first; nothing of Bob's.
    expect([...page.matchAll(/data-batch="([^"]+)"/g)].map((m) => m[1])).toEqual([bad.id, done.id])
    expect(page).not.toContain('bobs-secret')
    // The completed batch: a full bar, its counts, both download links through the API.
    const completed = await engine.batches.get(alice, done.id)
    expect(page).toContain('<progress value="3" max="3" aria-label="3 of 3 lines">100%</progress>')
    expect(page).toContain(
      `<a href="/v1/files/${completed.output_file_id}/content" download="${done.id}_output.jsonl" data-file="output">output file</a>`,
    )
    expect(page).toContain('<span class="completed">3 completed</span>')
    // The hostile batch failed validation; every user-provided string comes out escaped.
    expect(page).toContain('status-failed')
    expect(page).not.toMatch(/<script>window|<img src=x|onerror="window/)
    expect(page).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;')
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;.jsonl')
    expect(page).toContain('k&quot;ey=v&#39;&amp;&lt;')
    expect(page).toContain(
      'line 2: The URL &#39;/v1/&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;&#39;',
    )
    // No inline script or style: the strict CSP holds.
    expect(page).not.toMatch(/<script>|<style|style="/)
    expect(page).toContain('<script src="/monitor/monitor.js" defer></script>')
    expect(page).toContain('data-rows-url="/monitor/rows" data-refresh-ms="500"')
  })

  it('serves the rows the page polls, and its script and styles', async () => {
    const { engine, get } = await setup()
    const batch = await createBatch(engine, { ownerId: 'alice' }, [line('a')])
    const rows = await (await get('/monitor/rows')).text()
    expect(rows).toMatch(/^<tr data-batch=/)
    expect(rows).toContain(batch.id)
    expect(rows).toContain('<progress aria-label="waiting for the line count"></progress>')
    const script = await get('/monitor/monitor.js', null)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toContain("document.querySelector('main[data-rows-url]')")
    const styles = await get('/monitor/monitor.css', null)
    expect(styles.headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('pages with ?after= and links to older batches', async () => {
    const { engine } = await setup()
    const monitor = new Hono().route('/', createMonitor({ engine, authorize: cookieAuthorize, pageSize: 2 }))
    const ids = []
    for (const id of ['a', 'b', 'c'])
      ids.push((await createBatch(engine, { ownerId: 'alice' }, [line(id)])).id)
    const first = await (await monitor.request('/', { headers: { cookie: 'tenant=alice' } })).text()
    expect(first).toContain(`<a href="?after=${ids[1]}" rel="next">Older →</a>`)
    const older = await (
      await monitor.request(`/?after=${ids[1]}`, { headers: { cookie: 'tenant=alice' } })
    ).text()
    expect([...older.matchAll(/data-batch="([^"]+)"/g)].map((m) => m[1])).toEqual([ids[0]])
    expect(older).toContain(`data-rows-url="/rows?after=${ids[1]}"`)
  })

  it('runs authorize first: its Response is sent, and the API takes the same cookie for downloads', async () => {
    const { engine, get } = await setup()
    expect((await get('/monitor', null)).status).toBe(401)
    expect((await get('/monitor/rows', null)).status).toBe(401)
    const batch = await createBatch(engine, { ownerId: 'alice' }, [line('a')])
    await settle(engine)
    const { output_file_id } = await engine.batches.get({ ownerId: 'alice' }, batch.id)
    const download = await get(`/v1/files/${output_file_id}/content`)
    expect(download.status).toBe(200)
    expect(await download.text()).toContain('"custom_id":"a"')
    expect((await get(`/v1/files/${output_file_id}/content`, 'bob')).status).toBe(404)
  })

  it('renders a failure as an HTML page that tells nothing of its cause', async () => {
    const failing = createMonitor({
      engine: {
        batches: {
          list: async () => {
            throw new Error('<b>database</b> down')
          },
        },
      } as unknown as BatchEngine,
      authorize: () => ({ ownerId: 'alice' }),
    })
    const broken = await failing.request('/')
    expect(broken.status).toBe(500)
    const text = await broken.text()
    expect(text).toContain('<h1>500</h1>')
    expect(text).not.toContain('database')
  })
})
