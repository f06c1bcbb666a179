import { describe, expect, it } from 'vitest'
import { readConfig } from './config.ts'
import { defaultProviders, describeProviders, readOpenAIEnv } from './providers.ts'

describe('reference server providers', () => {
  const config = { ...readConfig({}), openaiBaseURL: 'http://127.0.0.1:9/v1' }

  it('registers mock, openai and anthropic; openai runs native by default and always has its native API', () => {
    const providers = defaultProviders(config, {})
    expect(providers.map((p) => p.name)).toEqual(['mock', 'openai', 'anthropic'])
    const openai = providers[1]!
    expect(openai.mode).toBe('native')
    expect(openai.native).toBeDefined()
    expect(describeProviders(providers, config)[1]).toBe(
      'openai → http://127.0.0.1:9/v1 (native, native API available)',
    )
  })

  it('reads ANTHROPIC_CONCURRENCY', () => {
    const provider = defaultProviders(config, { ANTHROPIC_CONCURRENCY: '6' })[2]!
    expect(provider).toMatchObject({ name: 'anthropic', concurrency: 6, endpoints: ['/v1/chat/completions'] })
  })

  it('reads OPENAI_BATCH_MODE, OPENAI_CONCURRENCY, OPENAI_RPM and OPENAI_TPM', () => {
    expect(
      readOpenAIEnv({
        OPENAI_BATCH_MODE: 'emulated',
        OPENAI_CONCURRENCY: '32',
        OPENAI_RPM: '500',
        OPENAI_TPM: '200000',
      }),
    ).toEqual({ mode: 'emulated', concurrency: 32, rpm: 500, tpm: 200_000 })
    const openai = defaultProviders(config, { OPENAI_BATCH_MODE: 'emulated', OPENAI_CONCURRENCY: '8' })[1]!
    expect(openai).toMatchObject({ mode: 'emulated', concurrency: 8 })
    expect(readOpenAIEnv({})).toEqual({ mode: 'native' })
  })

  it('rejects bad values with the variable name', () => {
    expect(() => readOpenAIEnv({ OPENAI_BATCH_MODE: 'turbo' })).toThrow(/OPENAI_BATCH_MODE/)
    expect(() => readOpenAIEnv({ OPENAI_RPM: 'lots' })).toThrow(/OPENAI_RPM/)
    expect(() => readOpenAIEnv({ OPENAI_TPM: '-1' })).toThrow(/OPENAI_TPM/)
  })
})
