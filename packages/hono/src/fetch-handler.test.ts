import { describe, expect, it } from 'vitest'
import { fakeEngine } from './__fixtures__/fake-engine.ts'
import { expectError, expectJson, req } from './__fixtures__/http.ts'
import { createFetchHandler } from './fetch-handler.ts'

describe('createFetchHandler', () => {
  it('serves the API under /v1 by default', async () => {
    const handle = createFetchHandler({ engine: fakeEngine() })
    const list = await expectJson<{ object: string }>(await handle(req('GET', '/v1/batches')))
    expect(list.object).toBe('list')
  })

  it('answers paths outside the base path with the 404 envelope and a request id', async () => {
    const handle = createFetchHandler({ engine: fakeEngine() })
    for (const path of ['/', '/batches', '/v2/batches', '/v1batches']) {
      const error = await expectError(await handle(req('GET', path)), 404, 'not_found', null)
      expect(error.message).toBe(`Invalid URL (GET ${path})`)
    }
  })

  it('honours a custom base path, normalising slashes', async () => {
    for (const basePath of ['/api/openai/v1', 'api/openai/v1/', '/api/openai/v1/']) {
      const handle = createFetchHandler({ engine: fakeEngine(), basePath })
      await expectJson(await handle(req('GET', '/api/openai/v1/files')))
      await expectError(await handle(req('GET', '/v1/files')), 404, 'not_found')
    }
  })

  it('serves at the root with an empty base path', async () => {
    for (const basePath of ['', '/']) {
      const handle = createFetchHandler({ engine: fakeEngine(), basePath })
      await expectJson(await handle(req('GET', '/batches')))
      await expectError(await handle(req('GET', '/v1/batches')), 404, 'not_found')
      await expectError(await handle(req('GET', '/batches', { token: null })), 401, 'missing_api_key')
    }
  })
})
