import type { BatchObject, Provider } from '@batchkit/core'
import type { ExecuteResult } from '@batchkit/core/provider'
import type { Telemetry } from '@batchkit/core/telemetry'
import { memoryStore } from '@batchkit/store-memory'
import {
  chatLines,
  createTestBatchkit,
  okAnswer,
  scriptedProvider,
  submitChatBatch,
  type TestBatchkit,
} from '@batchkit/testing'

/**
 * A provider named `scripted` over four lines: `req-1` succeeds, `req-2` is rate limited once (429 with
 * retry-after 2 s) then succeeds, `req-3` fails for good (400), `req-4` times out once (no answer) then
 * succeeds.
 */
export function scripted(): Provider & { calls: unknown[] } {
  const seen = new Map<string, number>()
  return scriptedProvider('scripted', (request): ExecuteResult => {
    const attempt = (seen.get(request.customId) ?? 0) + 1
    seen.set(request.customId, attempt)
    if (request.customId === 'req-2' && attempt === 1) {
      return { type: 'response', status: 429, body: { error: { message: 'slow down' } }, retryAfterMs: 2_000 }
    }
    if (request.customId === 'req-3') {
      return { type: 'response', status: 400, body: { error: { message: 'bad request' } } }
    }
    if (request.customId === 'req-4' && attempt === 1) {
      return { type: 'error', code: 'request_timeout', message: 'The call timed out.' }
    }
    return okAnswer(request)
  })
}

/**
 * Runs the scripted batch to its end on a memory store with `telemetry`; returns the kit (still open)
 * and the finished batch.
 *
 * @example
 * const { kit, batch } = await runScriptedBatch(prometheus.telemetry)
 */
export async function runScriptedBatch(
  telemetry: Telemetry | readonly Telemetry[],
): Promise<{ kit: TestBatchkit; batch: BatchObject }> {
  const kit = createTestBatchkit({
    store: (clock) => memoryStore({ clock }),
    providers: [scripted()],
    telemetry,
  })
  const { created } = await submitChatBatch(kit.engine, kit.scope, chatLines(4))
  await kit.runUntilIdle()
  return { kit, batch: await kit.engine.batches.get(kit.scope, created.id) }
}
