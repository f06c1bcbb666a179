import type { ExecuteRequest } from '@batchkit/core/provider'
import { describe, expect, it } from 'vitest'
import { azureOpenAI, groq, ollama, openai, presetBaseURLs, together, vllm } from './presets.ts'

const request = (over: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  endpoint: '/v1/chat/completions',
  body: { model: 'gpt-4o', messages: [] },
  batchId: 'batch_1',
  customId: 'c',
  requestId: 'batch_req_1',
  attempt: 1,
  credential: 'sk-key',
  deadline: Date.now() + 60_000,
  signal: new AbortController().signal,
  ...over,
})

/** A fetch that records what it was asked and answers 200 `{}` (or `answer`). */
function spy(answer: unknown = {}) {
  const seen: { url: string; method: string; headers: Headers }[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    seen.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers) })
    return new Response(JSON.stringify(answer), { status: 200 })
  }
  return { seen, fetch }
}

describe('presets', () => {
  it.each([
    ['openai', openai, `${presetBaseURLs.openai}/chat/completions`],
    ['groq', groq, 'https://api.groq.com/openai/v1/chat/completions'],
    ['together', together, 'https://api.together.xyz/v1/chat/completions'],
    ['ollama', ollama, 'http://localhost:11434/v1/chat/completions'],
  ] as const)('%s posts lines to its base URL with a bearer key', async (name, preset, url) => {
    const { seen, fetch } = spy()
    const provider = preset({ fetch, pacing: false })
    expect(provider.name).toBe(name)
    await provider.execute(request())
    expect(seen[0]?.url).toBe(url)
    if (name === 'ollama') expect(provider.credential).toBe('none')
    else expect(seen[0]?.headers.get('authorization')).toBe('Bearer sk-key')
  })

  it('vllm takes its base URL and needs no key', async () => {
    const { seen, fetch } = spy()
    const provider = vllm({ baseURL: 'http://gpu:8000/v1', fetch, pacing: false })
    expect(provider).toMatchObject({ name: 'vllm', credential: 'none', mode: 'emulated' })
    expect(provider.native).toBeUndefined()
    await provider.execute(request({ credential: null }))
    expect(seen[0]?.url).toBe('http://gpu:8000/v1/chat/completions')
    expect(seen[0]?.headers.get('authorization')).toBeNull()
  })

  it('openai, azure, groq and together have a native API; emulated stays the default mode', () => {
    for (const provider of [openai(), azureOpenAI({ resource: 'r' }), groq(), together()]) {
      expect(provider.native).toBeDefined()
      expect(provider.mode).toBe('emulated')
    }
    expect(groq().native?.endpoints).toEqual(['/v1/chat/completions'])
    expect(openai({ native: false }).native).toBeUndefined()
    expect(openai({ mode: 'native' }).mode).toBe('native')
  })

  it('azure uses the api-key header and v1 URLs by default', async () => {
    const { seen, fetch } = spy({ id: 'batch_1', status: 'validating' })
    const provider = azureOpenAI({ resource: 'acme', fetch, pacing: false })
    expect(provider.name).toBe('azure')
    await provider.execute(request())
    expect(seen[0]?.url).toBe('https://acme.openai.azure.com/openai/v1/chat/completions')
    expect(seen[0]?.headers.get('api-key')).toBe('sk-key')
    expect(seen[0]?.headers.get('authorization')).toBeNull()
    const call = { batchId: 'b', credential: 'sk-key', signal: new AbortController().signal }
    await provider.native?.poll({ ...call, providerBatchId: 'batch_1', state: null })
    expect(seen[1]).toMatchObject({
      url: 'https://acme.openai.azure.com/openai/v1/batches/batch_1',
      method: 'GET',
    })
  })

  it('azure with an API version uses deployment URLs and ?api-version=', async () => {
    const { seen, fetch } = spy({ id: 'batch_1', status: 'Validating' })
    const provider = azureOpenAI({
      endpoint: 'https://proxy.example.com/',
      apiVersion: '2025-04-01-preview',
      fetch,
      pacing: false,
    })
    await provider.execute(request({ body: { model: 'my-gpt4o-deployment', messages: [] } }))
    expect(seen[0]?.url).toBe(
      'https://proxy.example.com/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2025-04-01-preview',
    )
    const pinned = azureOpenAI({ resource: 'acme', deployment: 'dep', fetch, pacing: false })
    await pinned.execute(request())
    expect(seen[1]?.url).toBe(
      'https://acme.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21',
    )
    const call = { batchId: 'b', credential: 'sk-key', signal: new AbortController().signal }
    expect(await provider.native?.cancel({ ...call, providerBatchId: 'batch_1', state: null })).toMatchObject(
      {
        status: 'validating',
      },
    )
    expect(seen[2]).toMatchObject({
      url: 'https://proxy.example.com/openai/batches/batch_1/cancel?api-version=2025-04-01-preview',
      method: 'POST',
    })
  })

  it('azure needs a resource or an endpoint', () => {
    expect(() => azureOpenAI({})).toThrow(/resource/)
  })
})
