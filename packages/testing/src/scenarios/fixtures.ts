import type { BatchEngine, BatchObject, Provider, Scope } from '@batchkit/core'
import type { ExecuteRequest, ExecuteResult } from '@batchkit/core/provider'

const encoder = new TextEncoder()

/** A stream of `text`, split into chunks of `chunkSize` bytes. */
export function textStream(text: string, chunkSize = 64 * 1024): ReadableStream<Uint8Array> {
  const bytes = encoder.encode(text)
  let at = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close()
      controller.enqueue(bytes.slice(at, at + chunkSize))
      at += chunkSize
    },
  })
}

/** JSONL text of `lines`. */
export const jsonl = (lines: readonly unknown[]): string =>
  `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`

/** A chat completion request line. */
export function chatLine(i: number, model = 'gpt-test'): Record<string, unknown> {
  return {
    custom_id: `req-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: `Question number ${i}` }], max_tokens: 16 },
  }
}

/** Chat request lines `req-1` … `req-n`. */
export const chatLines = (n: number, model?: string): Record<string, unknown>[] =>
  Array.from({ length: n }, (_, i) => chatLine(i + 1, model))

/** A provider whose answers come from `answer`; it records every call it gets. */
export function scriptedProvider(
  name: string,
  answer: (request: ExecuteRequest) => ExecuteResult | Promise<ExecuteResult>,
  options: Partial<Pick<Provider, 'concurrency' | 'maxAttempts' | 'credential'>> = {},
): Provider & { calls: ExecuteRequest[] } {
  const calls: ExecuteRequest[] = []
  return {
    name,
    credential: 'none',
    ...options,
    calls,
    async execute(request) {
      calls.push(request)
      return answer(request)
    },
  }
}

/** A 200 chat completion answer echoing the request's custom id. */
export function okAnswer(request: ExecuteRequest): ExecuteResult {
  return {
    type: 'response',
    status: 200,
    requestId: `req_${request.customId}`,
    body: {
      id: `chatcmpl-${request.customId}`,
      object: 'chat.completion',
      model: request.body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: `answer to ${request.customId}` },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    },
  }
}

/** {@link okAnswer}, except a 400 `invalid_request_error` for the line `failing` (a custom id). */
export function okExcept(failing: string): (request: ExecuteRequest) => ExecuteResult {
  return (request) =>
    request.customId === failing
      ? {
          type: 'response',
          status: 400,
          body: { error: { message: 'no', type: 'invalid_request_error' } },
        }
      : okAnswer(request)
}

/** Uploads `lines` as a batch input file. */
export async function uploadLines(
  engine: BatchEngine,
  scope: Scope,
  lines: readonly unknown[],
  filename = 'input.jsonl',
) {
  return engine.files.upload(scope, textStream(jsonl(lines)), { filename, purpose: 'batch' })
}

/** Ticks the runner until `done` holds (or fails after `maxTicks`). */
export async function drive(
  engine: BatchEngine,
  done: () => Promise<boolean>,
  { maxTicks = 500, budgetMs = 50 }: { maxTicks?: number; budgetMs?: number } = {},
): Promise<void> {
  for (let i = 0; i < maxTicks; i++) {
    if (await done()) return
    const report = await engine.runner.tick({ budgetMs })
    // Like the runner loop: pause when there was nothing to do (e.g. waiting for a lease to lapse).
    if (!report.more && report.lines === 0) await new Promise((r) => setTimeout(r, 5))
  }
  if (!(await done())) throw new Error(`condition not reached after ${maxTicks} ticks`)
}

/** Ticks until the batch is in one of `statuses`; returns it. */
export async function driveUntilStatus(
  engine: BatchEngine,
  scope: Scope,
  batchId: string,
  statuses: readonly BatchObject['status'][],
  options?: { maxTicks?: number; budgetMs?: number },
): Promise<BatchObject> {
  let batch = await engine.batches.get(scope, batchId)
  await drive(
    engine,
    async () => {
      batch = await engine.batches.get(scope, batchId)
      return statuses.includes(batch.status)
    },
    options,
  )
  return batch
}

/** Parsed lines of a file's content. */
export async function fileLines(
  engine: BatchEngine,
  scope: Scope,
  fileId: string,
): Promise<Record<string, unknown>[]> {
  const { body } = await engine.files.content(scope, fileId)
  const text = await new Response(body).text()
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

/** Uploads `lines` and creates a `/v1/chat/completions` batch from them. */
export async function submitChatBatch(engine: BatchEngine, scope: Scope, lines: readonly unknown[]) {
  const input = await uploadLines(engine, scope, lines)
  const created = await engine.batches.create(scope, {
    input_file_id: input.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  })
  return { input, created }
}

/** Ticks in slices of `budgetMs` until at least `completed` lines of the batch succeeded; returns it. */
export async function driveUntilCompleted(
  engine: BatchEngine,
  scope: Scope,
  batchId: string,
  completed: number,
  budgetMs: number,
): Promise<BatchObject> {
  let batch = await engine.batches.get(scope, batchId)
  while (batch.request_counts.completed < completed) {
    await engine.runner.tick({ budgetMs })
    batch = await engine.batches.get(scope, batchId)
  }
  return batch
}
