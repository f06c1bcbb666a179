/**
 * Shared setup of the process-level tests: a Postgres schema of their own, a fake upstream that records
 * every call, an engine in the test process (never ticked: it only uploads, creates, cancels and reads,
 * like an API node) and the environment for child server/worker processes on the same schema.
 */
import { type BatchEngine, type BatchObject, createBatchEngine, type Scope } from '@batchkit/core'
import { mockProvider } from '@batchkit/provider-mock'
import { openaiCompatible } from '@batchkit/provider-openai'
import { createTestSchema, type TestSchema } from '@batchkit/store-postgres/testing'
import { type FakeUpstream, startFakeUpstream } from '@batchkit/testing/fake-upstream'
import { expect } from 'vitest'

/** The key batches carry for the `openai` provider (the fake upstream accepts any). */
export const upstreamKey = 'sk-process-tests'

/** Everything a process test needs. */
export interface ProcessHarness {
  db: TestSchema
  upstream: FakeUpstream
  engine: BatchEngine
  scope: Scope
  /** Environment of child processes: same database schema, secret and upstream. */
  env: Record<string, string>
  /** Uploads `lines` chat lines (custom ids `<prefix>-1…`) and creates a batch for `provider`. */
  submit(lines: number, options?: { prefix?: string; provider?: 'openai' | 'mock' }): Promise<BatchObject>
  batch(id: string): Promise<BatchObject>
  /** Output and error lines of a finished batch. */
  results(id: string): Promise<{ batch: BatchObject; output: ResultLine[]; errors: ResultLine[] }>
  close(): Promise<void>
}

/** A line of an output or error file. */
export interface ResultLine {
  id: string
  custom_id: string
  response: { status_code: number } | null
  error: { code: string; message: string } | null
}

/** Creates the harness; `latencyMs` is the fake upstream's answer delay. */
export async function processHarness(label: string, latencyMs = 1): Promise<ProcessHarness> {
  const db = await createTestSchema(label)
  const upstream = await startFakeUpstream({ latencyMs })
  const secret = `process-test-secret-${label}-0123456789`
  // Same names and modes as the child processes' `defaultProviders` (this engine only creates and reads).
  const providers = [
    mockProvider({ name: 'mock' }),
    openaiCompatible({ baseURL: upstream.url, mode: 'emulated' }),
  ]
  const engine = createBatchEngine({ store: db.store(), providers, secret })
  const scope: Scope = { ownerId: `owner-${label}` }

  const readLines = async (fileId: string | null): Promise<ResultLine[]> => {
    if (fileId === null) return []
    const { body } = await engine.files.content(scope, fileId)
    const text = await new Response(body).text()
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as ResultLine)
  }

  return {
    db,
    upstream,
    engine,
    scope,
    env: {
      DATABASE_URL: db.url,
      BATCHKIT_DB_SCHEMA: db.schema,
      BATCHKIT_DB_POOL: '4',
      BATCHKIT_SECRET: secret,
      OPENAI_BASE_URL: upstream.url,
      OPENAI_BATCH_MODE: 'emulated',
      BATCHKIT_POLL_MS: '100',
      MOCK_LATENCY_MS: '1',
    },
    async submit(lines, { prefix = 'line', provider = 'openai' } = {}) {
      const file = await engine.files.upload(scope, jsonlStream(lines, prefix), {
        filename: `${prefix}.jsonl`,
        purpose: 'batch',
      })
      return engine.batches.create(
        scope,
        { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
        { provider, credential: upstreamKey },
      )
    },
    batch: (id) => engine.batches.get(scope, id),
    async results(id) {
      const batch = await engine.batches.get(scope, id)
      return {
        batch,
        output: await readLines(batch.output_file_id),
        errors: await readLines(batch.error_file_id),
      }
    },
    async close() {
      await upstream.close()
      await db.drop()
    },
  }
}

/** A JSONL input of `lines` chat requests, generated as it is read. */
function jsonlStream(lines: number, prefix: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let next = 1
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next > lines) return controller.close()
      let text = ''
      for (let n = 0; n < 500 && next <= lines; n++, next++) {
        text += `${JSON.stringify({
          custom_id: `${prefix}-${next}`,
          method: 'POST',
          url: '/v1/chat/completions',
          body: {
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: `question ${next}` }],
            max_tokens: 8,
          },
        })}\n`
      }
      controller.enqueue(encoder.encode(text))
    },
  })
}

/**
 * Checks a finished batch's files against its counts: every custom id of `prefix-1…total` exactly once
 * across output and error files, as many output lines as `completed`, error lines as `failed`.
 */
export function expectConsistentFiles(
  result: { batch: BatchObject; output: ResultLine[]; errors: ResultLine[] },
  total: number,
  prefix = 'line',
): void {
  const { batch, output, errors } = result
  expect(batch.request_counts).toEqual({ total, completed: output.length, failed: errors.length })
  const ids = [...output, ...errors].map((line) => line.custom_id)
  expect(ids).toHaveLength(total)
  const unique = new Set(ids)
  expect(unique.size).toBe(total)
  for (let i = 1; i <= total; i++) {
    if (!unique.has(`${prefix}-${i}`))
      expect.fail(`${prefix}-${i} is in neither the output nor the error file`)
  }
  for (const line of output) expect(line.response?.status_code).toBe(200)
}

/** How many upstream calls each idempotency key (`<batch>-<line id>`) got. */
export function callsPerKey(upstream: FakeUpstream): Map<string, number> {
  const counts = new Map<string, number>()
  for (const call of upstream.calls) {
    if (call.idempotencyKey !== null)
      counts.set(call.idempotencyKey, (counts.get(call.idempotencyKey) ?? 0) + 1)
  }
  return counts
}
