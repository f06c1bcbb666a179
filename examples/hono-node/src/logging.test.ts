import { request } from 'node:http'
import { BatchkitError } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { readConfig } from './config.ts'
import { consoleLogger } from './logger.ts'
import { type ReferenceServer, startReferenceServer } from './server.ts'

describe('what the reference server logs', () => {
  const lines: [string, string, Record<string, unknown> | undefined][] = []
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push([level, message, fields])
  let server: ReferenceServer

  beforeAll(async () => {
    server = await startReferenceServer({
      config: { ...readConfig({}), port: 0 },
      providers: [mockProvider({ name: 'mock' })],
      logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
      runLoop: false,
    })
  })
  afterAll(() => server?.close())

  it('logs a client that hangs up mid-upload as that, not as a 500', async () => {
    const url = new URL(`${server.url}/files`)
    const boundary = 'x-boundary'
    await new Promise<void>((resolve) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          authorization: 'Bearer logs',
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': 10_000_000,
        },
      })
      req.on('error', () => resolve())
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n`,
      )
      req.write(
        '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m"}}\n'.repeat(200),
      )
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 200)
    })
    // Logged as what it is — the client went away, or a cut-off body it sent — never as a server error.
    await vi.waitFor(() =>
      expect(
        lines.some(
          ([, m, f]) =>
            m.includes('client closed the request') || (m.includes('rejected') && f?.status === 400),
        ),
      ).toBe(true),
    )
    expect(lines.filter(([level]) => level === 'error')).toEqual([])
  })

  it('prints errors with name, message, code, stack and cause instead of {}', () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
      consoleLogger('info').error?.('batchkit: request failed', {
        error: new BatchkitError('service_unavailable', 'The database is unavailable.', { cause }),
      })
      const line = String(printed.mock.calls[0]?.[0])
      expect(line).toContain('"message":"The database is unavailable."')
      expect(line).toContain('"code":"ECONNREFUSED"')
      expect(line).toContain('"stack":"BatchkitError')
      expect(line).not.toContain('"error":{}')
    } finally {
      printed.mockRestore()
    }
  })
})
