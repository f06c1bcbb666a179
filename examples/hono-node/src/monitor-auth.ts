import { type BatchEngine, type Logger, sha256Hex } from '@batchkit/core'
import { type Authorize, bearerToken, createMonitor, defaultAuthorize } from '@batchkit/hono'
import type { Context, Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { html } from 'hono/html'

/** The cookie that carries a browser's API key (HttpOnly, SameSite=Strict). */
export const keyCookie = 'batchkit_key'

/** Owner ids of recently seen keys, so a busy server hashes each key once. */
function ownerIds(): (key: string) => Promise<string> {
  const owners = new Map<string, string>()
  return async (key) => {
    let owner = owners.get(key)
    if (owner === undefined) {
      owner = await sha256Hex(key)
      if (owners.size >= 1_024) owners.delete(owners.keys().next().value!)
      owners.set(key, owner)
    }
    return owner
  }
}

/**
 * The reference server's tenants: each API key is its own tenant, sent as a bearer key by API clients, or
 * by a browser in the `batchkit_key` cookie the monitor's login sets — accepted for reading only (GET,
 * HEAD), so that the monitor's download links work and a cross-site form can change nothing.
 */
export function keyAuthorize(): Authorize {
  const ownerOf = ownerIds()
  return async (c) => {
    const token = bearerToken(c.req.raw.headers)
    if (token !== null) return { ownerId: await ownerOf(token) }
    const key = getCookie(c, keyCookie)
    if (key && (c.req.method === 'GET' || c.req.method === 'HEAD')) return { ownerId: await ownerOf(key) }
    return defaultAuthorize(c)
  }
}

const loginPage = (path: string, failed: boolean) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>batchkit monitor</title></head>
<body><main>
<h1>batchkit monitor</h1>
<p>Sign in with the API key your batches were created with.</p>
${failed ? html`<p role="alert">Enter a key.</p>` : ''}
<form method="post" action="${path}/login">
<label>API key <input name="key" type="password" autocomplete="off" required /></label>
<button type="submit">Show my batches</button>
</form>
</main></body></html>`

/**
 * Mounts the monitor page at `path` (default `/monitor`), with a login form at `<path>/login` that keeps
 * the key in an HttpOnly, SameSite=Strict cookie, and `<path>/logout`. Without the cookie the page
 * redirects to the login form.
 */
export function mountMonitor(
  app: Hono,
  engine: BatchEngine,
  options: { logger?: Logger | undefined; path?: string } = {},
): void {
  const path = options.path ?? '/monitor'
  const ownerOf = ownerIds()
  const authorize: Authorize = async (c: Context) => {
    const key = getCookie(c, keyCookie)
    return key ? { ownerId: await ownerOf(key) } : c.redirect(`${path}/login`)
  }
  app.get(`${path}/login`, (c) => c.html(loginPage(path, false)))
  app.post(`${path}/login`, async (c) => {
    const form = await c.req.parseBody()
    const key = typeof form.key === 'string' ? form.key.trim() : ''
    if (key === '') return c.html(loginPage(path, true), 400)
    setCookie(c, keyCookie, key, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      path: '/',
    })
    return c.redirect(path, 303)
  })
  app.get(`${path}/logout`, (c) => {
    deleteCookie(c, keyCookie, { path: '/' })
    return c.redirect(`${path}/login`)
  })
  app.route(path, createMonitor({ engine, authorize, logger: options.logger }))
}
