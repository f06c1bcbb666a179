import { parseArgs } from 'node:util'
import type { FakeBatchFlavor, FakeNativeOptions } from './native-types.ts'
import type { FakeUpstreamOptions } from './types.ts'

/** Usage text of the fake upstream CLI. */
export const cliUsage = `Usage: node --conditions=source --import tsx packages/testing/src/fake-upstream/cli.ts [options]
  --port N            port on 127.0.0.1 (env FAKE_UPSTREAM_PORT; default 0 = random)
  --latency MS        delay before every answer (FAKE_UPSTREAM_LATENCY_MS)
  --rpm N / --tpm N   requests / tokens per minute (FAKE_UPSTREAM_RPM, FAKE_UPSTREAM_TPM)
  --quantized MS      also enforce them over MS-long windows (1000: N/min as N/60 per second), headers
                      still per minute (FAKE_UPSTREAM_QUANTIZED_MS)
  --require-key KEY   require Authorization: Bearer KEY (FAKE_UPSTREAM_REQUIRE_KEY)
  --seed N            fault-injection seed (FAKE_UPSTREAM_SEED)
  --fail-500 F --fail-429 F --fail-quota F --fail-reset F --fail-timeout F
                      fractions of injected faults (FAKE_UPSTREAM_FAIL_500, …_429, …_QUOTA, …_RESET, …_TIMEOUT)
  --retry-after-ms MS retry-after of injected 429s (FAKE_UPSTREAM_RETRY_AFTER_MS)
  --no-record         keep counters only, not every call (FAKE_UPSTREAM_RECORD=0)
  --no-rate-limit-headers  answer 429s without x-ratelimit-* headers (FAKE_UPSTREAM_RATE_LIMIT_HEADERS=0)
  --batch-lines-per-second N  native batches run by themselves at N lines/s (FAKE_UPSTREAM_BATCH_LINES_PER_SECOND)
  --batch-error-rate F  fraction of native batch lines that fail (FAKE_UPSTREAM_BATCH_ERROR_RATE)
  --batch-flavor NAME   openai | azure-preview | together (FAKE_UPSTREAM_BATCH_FLAVOR)
Prints the API base URL (http://127.0.0.1:PORT/v1) as its first stdout line; stats go to stderr on exit.`

const flags = {
  port: 'FAKE_UPSTREAM_PORT',
  latency: 'FAKE_UPSTREAM_LATENCY_MS',
  rpm: 'FAKE_UPSTREAM_RPM',
  tpm: 'FAKE_UPSTREAM_TPM',
  quantized: 'FAKE_UPSTREAM_QUANTIZED_MS',
  'require-key': 'FAKE_UPSTREAM_REQUIRE_KEY',
  seed: 'FAKE_UPSTREAM_SEED',
  'fail-500': 'FAKE_UPSTREAM_FAIL_500',
  'fail-429': 'FAKE_UPSTREAM_FAIL_429',
  'fail-quota': 'FAKE_UPSTREAM_FAIL_QUOTA',
  'fail-reset': 'FAKE_UPSTREAM_FAIL_RESET',
  'fail-timeout': 'FAKE_UPSTREAM_FAIL_TIMEOUT',
  'retry-after-ms': 'FAKE_UPSTREAM_RETRY_AFTER_MS',
  'batch-lines-per-second': 'FAKE_UPSTREAM_BATCH_LINES_PER_SECOND',
  'batch-error-rate': 'FAKE_UPSTREAM_BATCH_ERROR_RATE',
  'batch-flavor': 'FAKE_UPSTREAM_BATCH_FLAVOR',
} as const

const flavors: readonly FakeBatchFlavor[] = ['openai', 'azure-preview', 'together']

/**
 * Fake upstream options from command-line flags, falling back to `FAKE_UPSTREAM_*` environment variables.
 *
 * @example
 * parseCliOptions(['--port', '8787', '--fail-500', '0.05'], {}) // { port: 8787, failures: { status500: 0.05 }, … }
 */
export function parseCliOptions(
  argv: string[],
  env: Record<string, string | undefined>,
): FakeUpstreamOptions & { help: boolean } {
  const strings = Object.keys(flags).map((name) => [name, { type: 'string' }] as const)
  const { values } = parseArgs({
    args: argv,
    options: {
      ...(Object.fromEntries(strings) as Record<keyof typeof flags, { type: 'string' }>),
      'no-record': { type: 'boolean' },
      'no-rate-limit-headers': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  const given: Record<string, string | boolean | undefined> = values
  const raw = (name: keyof typeof flags): string | undefined => {
    const value = given[name]
    return typeof value === 'string' ? value : env[flags[name]]
  }
  const num = (name: keyof typeof flags): number | undefined => {
    const value = raw(name)
    if (value === undefined || value === '') return undefined
    const n = Number(value)
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${JSON.stringify(value)}`)
    return n
  }
  const failures = {
    status500: num('fail-500'),
    status429: num('fail-429'),
    insufficientQuota: num('fail-quota'),
    reset: num('fail-reset'),
    timeout: num('fail-timeout'),
  }
  const native: FakeNativeOptions = {}
  const linesPerSecond = num('batch-lines-per-second')
  const lineErrorRate = num('batch-error-rate')
  const flavor = raw('batch-flavor')
  if (linesPerSecond !== undefined) native.linesPerSecond = linesPerSecond
  if (lineErrorRate !== undefined) native.lineErrorRate = lineErrorRate
  if (flavor) {
    if (!(flavors as readonly string[]).includes(flavor)) {
      throw new Error(`--batch-flavor must be one of ${flavors.join(', ')}, got ${JSON.stringify(flavor)}`)
    }
    native.flavor = flavor as FakeBatchFlavor
  }
  const quantizedMs = num('quantized')
  return {
    help: values.help === true,
    ...(quantizedMs !== undefined && quantizedMs > 0 ? { quantized: { windowMs: quantizedMs } } : {}),
    native,
    rateLimitHeaders: !(
      values['no-rate-limit-headers'] === true || env.FAKE_UPSTREAM_RATE_LIMIT_HEADERS === '0'
    ),
    port: num('port') ?? 0,
    latencyMs: num('latency'),
    rpm: num('rpm'),
    tpm: num('tpm'),
    requireKey: raw('require-key') || undefined,
    seed: num('seed'),
    retryAfterMs: num('retry-after-ms'),
    failures: Object.fromEntries(Object.entries(failures).filter(([, v]) => v !== undefined)),
    record: !(values['no-record'] === true || env.FAKE_UPSTREAM_RECORD === '0'),
  }
}
