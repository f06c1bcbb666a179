import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { sendWebhook } from './send.ts'

const secret = 'whsec_c2VjcmV0'
let server: Server | undefined

afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

/** A loopback server answering with `handler`; returns its url. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`
}

describe('sendWebhook', () => {
  it('gives up after the timeout when the endpoint does not answer', async () => {
    const url = await serve(() => undefined)
    const started = Date.now()
    const result = await sendWebhook(fetch, { url, secret }, 'evt_1', '{}', 200, Date.now())
    expect(result).toEqual({ ok: false, status: null, error: 'no answer within 200 ms' })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('reads at most 1 KiB of an error answer, however long the body', async () => {
    let written = 0
    const url = await serve((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' })
      const chunk = 'x'.repeat(64 * 1024)
      const pump = (): void => {
        // An endless body: the sender must stop reading, or this test never ends.
        while (written < 64 * 1024 * 1024 && response.write(chunk)) written += chunk.length
        if (written < 64 * 1024 * 1024) response.once('drain', pump)
        else response.end()
      }
      pump()
    })
    const result = await sendWebhook(fetch, { url, secret }, 'evt_1', '{}', 5_000, Date.now())
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.status).toBe(500)
      expect(result.error.length).toBeLessThanOrEqual('HTTP 500: '.length + 1_024)
    }
    expect(written).toBeLessThan(64 * 1024 * 1024)
  })

  it('does not follow a redirect', async () => {
    let followed = false
    const target = await serve((request, response) => {
      if (request.url === '/elsewhere') followed = true
      response.writeHead(request.url === '/elsewhere' ? 200 : 302, { location: '/elsewhere' })
      response.end()
    })
    const result = await sendWebhook(fetch, { url: target, secret }, 'evt_1', '{}', 5_000, Date.now())
    expect(result).toMatchObject({ ok: false, status: 302 })
    expect(followed).toBe(false)
  })
})
