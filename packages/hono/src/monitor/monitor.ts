import { type BatchEngine, isBatchkitError, type Logger, toBatchkitError } from '@batchkit/core'
import { type Context, Hono } from 'hono'
import { html } from 'hono/html'
import { type Authorize, authorizeRequests } from '../auth.ts'
import type { BatchRouterEnv } from '../env.ts'
import { monitorScript, monitorStyles } from './assets.ts'
import { fileNames } from './file-names.ts'
import { batchRows, type MonitorView, monitorPage } from './render.ts'

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  /** The engine whose batches the page lists. */
  engine: BatchEngine
  /**
   * The tenant scope of a page request, as for the API — typically from a session cookie, since a
   * browser sends no bearer key. Return a `Response` to refuse (e.g. a redirect to your login page).
   * Required: the page shows a tenant's batches, so who sees them is the host's decision.
   */
  authorize: Authorize
  /** Where the batch router is mounted, for the download links (default `/v1`). */
  apiBase?: string
  /** Page title (default `Batches`). */
  title?: string
  /** Batches per page, newest first (default 25, at most 100). */
  pageSize?: number
  /** How often the page refreshes its rows, in ms (default 2000). */
  refreshMs?: number
  /** Receives one line per failed page request (5xx at `error`). */
  logger?: Logger
}

/**
 * Headers of the page and its rows: a strict Content-Security-Policy (script and styles only from the
 * monitor's own files, nothing inline, no framing), no caching of tenant data, no referrer.
 */
const pageHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
}

/** A status page for a failed page request, its message escaped. */
function errorPage(c: Context, error: unknown, logger: Logger | undefined): Response | Promise<Response> {
  const failure = toBatchkitError(error)
  if (failure.status >= 500) {
    logger?.error?.('batchkit monitor: request failed', { path: c.req.path, error })
  }
  const message = isBatchkitError(error) ? failure.message : 'The page could not be shown.'
  return c.html(
    html`<!doctype html><title>${failure.status}</title><h1>${failure.status}</h1><p>${message}</p>`,
    failure.status as 500,
    pageHeaders,
  )
}

/**
 * A read-only page listing a tenant's batches, newest first, with live progress bars, line counts,
 * validation errors and download links of output and error files; server-rendered (Hono's `html`, every
 * value escaped), no build step. Its script refreshes the rows every `refreshMs` from `GET <mount>/rows`.
 * Every page request runs `authorize` first, like the API. The download links point at
 * `<apiBase>/files/:id/content`, so the API must accept the same browser credentials (e.g. the same
 * `authorize` reading a cookie) — see docs/observability.md.
 *
 * Routes, relative to the mount point: `GET /` (the page; `?after=<batch id>` for older batches),
 * `GET /rows` (the table rows), `GET /monitor.js`, `GET /monitor.css`.
 *
 * @example
 * import { getCookie } from 'hono/cookie'
 * import { createBatchRouter, createMonitor, type Authorize } from '@batchkit/hono'
 *
 * const authorize: Authorize = async (c) => {
 *   const session = await sessions.get(getCookie(c, 'session'))
 *   return session ? { ownerId: session.tenantId } : c.redirect('/login')
 * }
 * app.route('/v1', createBatchRouter({ engine, authorize }))
 * app.route('/batches', createMonitor({ engine, authorize }))
 */
export function createMonitor(options: MonitorOptions): Hono<BatchRouterEnv> {
  const { engine, logger } = options
  const title = options.title ?? 'Batches'
  const apiBase = (options.apiBase ?? '/v1').replace(/\/+$/, '')
  const pageSize = Math.min(100, Math.max(1, Math.floor(options.pageSize ?? 25)))
  const refreshMs = Math.max(250, Math.floor(options.refreshMs ?? 2_000))
  const names = fileNames(engine)
  const auth = authorizeRequests(options.authorize)
  const monitor = new Hono<BatchRouterEnv>()
  monitor.onError((error, c) => errorPage(c, error, logger))

  /** The page of batches asked for, and what rendering it needs. */
  async function view(c: Context<BatchRouterEnv>, base: string) {
    const after = c.req.query('after') || undefined
    const page = await engine.batches.list(c.var.scope, { limit: pageSize, after })
    const batchView: MonitorView = {
      title,
      base,
      apiBase,
      refreshMs,
      after,
      names: await names(
        c.var.scope,
        page.data.map((batch) => batch.input_file_id),
      ),
    }
    return { page, view: batchView }
  }

  monitor.get('/monitor.js', (c) =>
    c.body(monitorScript, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    }),
  )
  monitor.get('/monitor.css', (c) =>
    c.body(monitorStyles, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    }),
  )
  monitor.get('/rows', auth, async (c) => {
    const base = c.req.path.replace(/\/rows\/?$/, '')
    const { page, view: rows } = await view(c, base)
    return c.html(batchRows(rows, page), 200, pageHeaders)
  })
  monitor.get('/', auth, async (c) => {
    const base = c.req.path.replace(/\/+$/, '')
    const { page, view: full } = await view(c, base)
    return c.html(monitorPage(full, page), 200, pageHeaders)
  })
  return monitor
}
