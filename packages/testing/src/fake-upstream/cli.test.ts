import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseCliOptions } from './cli-options.ts'

describe('parseCliOptions', () => {
  it('reads flags, falling back to FAKE_UPSTREAM_* variables', () => {
    const options = parseCliOptions(['--port', '8787', '--fail-500', '0.05', '--no-record'], {
      FAKE_UPSTREAM_RPM: '600',
      FAKE_UPSTREAM_REQUIRE_KEY: 'sk-test',
      FAKE_UPSTREAM_FAIL_RESET: '0.01',
    })
    expect(options).toMatchObject({
      help: false,
      port: 8787,
      rpm: 600,
      requireKey: 'sk-test',
      failures: { status500: 0.05, reset: 0.01 },
      record: false,
    })
  })

  it('reads the native-mode flags', () => {
    expect(
      parseCliOptions(
        ['--batch-lines-per-second', '50', '--batch-flavor', 'together', '--no-rate-limit-headers'],
        {
          FAKE_UPSTREAM_BATCH_ERROR_RATE: '0.1',
        },
      ),
    ).toMatchObject({
      native: { linesPerSecond: 50, flavor: 'together', lineErrorRate: 0.1 },
      rateLimitHeaders: false,
    })
    expect(() => parseCliOptions(['--batch-flavor', 'bedrock'], {})).toThrow(/--batch-flavor/)
  })

  it('reads --quantized as the short window of the limits', () => {
    expect(parseCliOptions(['--rpm', '1200', '--quantized', '1000'], {})).toMatchObject({
      rpm: 1200,
      quantized: { windowMs: 1000 },
    })
    expect(parseCliOptions([], { FAKE_UPSTREAM_QUANTIZED_MS: '250' }).quantized).toEqual({ windowMs: 250 })
  })

  it('rejects non-numbers', () => {
    expect(() => parseCliOptions(['--rpm', 'lots'], {})).toThrow(/--rpm must be a number/)
  })
})

describe('cli', () => {
  it('prints its URL, serves, and exits with stats on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url))
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, '--seed', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const url = await new Promise<string>((resolve, reject) => {
      child.once('error', reject)
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()))
    })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    const res = await fetch(`${url}/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: 'e', input: 'x' }),
    })
    expect(res.status).toBe(200)
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGTERM')
    })
    expect(code).toBe(0)
    expect(JSON.parse(stderr)).toMatchObject({ total: 1 })
  })
})
