import { expect } from 'vitest'

/** Options of {@link req}. */
export interface RequestOptions {
  token?: string | null
  headers?: Record<string, string>
  body?: BodyInit | null
  json?: unknown
}

/**
 * Builds a request to `http://localhost{path}` with a bearer token (default `sk-alice`).
 *
 * @example
 * await handler(req('GET', '/v1/batches'))
 */
export function req(method: string, path: string, options: RequestOptions = {}): Request {
  const headers = new Headers(options.headers)
  const token = options.token === undefined ? 'sk-alice' : options.token
  if (token !== null) headers.set('authorization', `Bearer ${token}`)
  let body = options.body ?? null
  if (options.json !== undefined) {
    body = JSON.stringify(options.json)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, body }
  if (body instanceof ReadableStream) init.duplex = 'half'
  return new Request(`http://localhost${path}`, init)
}

/** Asserts an OpenAI error envelope with `status` and `code` (and `param` when given); returns the error. */
export async function expectError(
  res: Response,
  status: number,
  code: string,
  param?: string | null,
): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/)
  const body = JSON.parse(text) as {
    error: { message: string; type: string; param: string | null; code: string | null }
  }
  expect(Object.keys(body)).toEqual(['error'])
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  expect(typeof body.error.message).toBe('string')
  expect(body.error.message).not.toMatch(/\n\s+at /) // never a stack trace
  expect(body.error.code).toBe(code)
  if (param !== undefined) expect(body.error.param).toBe(param)
  return body.error
}

/** Asserts a 200 JSON response and returns its body. */
export async function expectJson<T>(res: Response): Promise<T> {
  const text = await res.text()
  expect(res.status, text).toBe(200)
  expect(res.headers.get('x-request-id')).toMatch(/^req_/)
  return JSON.parse(text) as T
}
