import { describe, expect, it } from 'vitest'
import type { ClaimedRequest } from '../contracts/records.ts'
import { backoffDelay } from './backoff.ts'
import { isRetryableStatus, outcomeOf } from './outcome.ts'
import { extractUsage } from './usage.ts'

const request = (attempts: number): ClaimedRequest => ({
  batchId: 'batch_1',
  ownerId: 'o',
  index: 3,
  id: 'batch_req_1',
  customId: 'c-3',
  offset: 0,
  length: 10,
  attempts,
})
const ctx = {
  now: 1_000,
  expiresAt: 100_000,
  maxAttempts: 3,
  backoff: { baseMs: 100, maxMs: 1_000 },
  random: () => 1,
}

describe('outcomeOf', () => {
  it('turns a 2xx answer into an output line with usage', () => {
    const outcome = outcomeOf(
      request(1),
      {
        type: 'response',
        status: 200,
        requestId: 'req_x',
        body: { usage: { prompt_tokens: 3, completion_tokens: 2 } },
      },
      ctx,
    )
    expect(outcome).toMatchObject({
      kind: 'succeeded',
      usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
    })
    if (outcome.kind === 'retry') throw new Error('unexpected')
    expect(JSON.parse(outcome.line)).toEqual({
      id: 'batch_req_1',
      custom_id: 'c-3',
      response: {
        status_code: 200,
        request_id: 'req_x',
        body: { usage: { prompt_tokens: 3, completion_tokens: 2 } },
      },
      error: null,
    })
  })

  it("writes the provider's bodyText as is, unless it spans lines", () => {
    const bodyText = '{"usage":{"prompt_tokens":3,"completion_tokens":2},"note":"caf\\u00e9"}'
    const body = JSON.parse(bodyText) as unknown
    const answer = { type: 'response', status: 200, requestId: 'req_x', body, bodyText } as const
    const outcome = outcomeOf(request(1), answer, ctx)
    if (outcome.kind === 'retry') throw new Error('unexpected')
    expect(outcome).toMatchObject({ kind: 'succeeded', usage: { inputTokens: 3, outputTokens: 2 } })
    expect(outcome.line).toBe(
      `{"id":"batch_req_1","custom_id":"c-3","response":{"status_code":200,"request_id":"req_x","body":${bodyText}},"error":null}`,
    )
    // The same line as serialising the parsed body, byte for byte, when the text is compact.
    const compact = outcomeOf(request(1), { ...answer, bodyText: JSON.stringify(body) }, ctx)
    const serialised = outcomeOf(request(1), { ...answer, bodyText: undefined }, ctx)
    if (compact.kind === 'retry' || serialised.kind === 'retry') throw new Error('unexpected')
    expect(compact.line).toBe(serialised.line)
    // Pretty-printed JSON would break the JSONL line: the body is serialised instead.
    const pretty = outcomeOf(request(1), { ...answer, bodyText: JSON.stringify(body, null, 2) }, ctx)
    if (pretty.kind === 'retry') throw new Error('unexpected')
    expect(pretty.line).toBe(serialised.line)
    // Failed answers too.
    const failed = outcomeOf(request(3), { type: 'response', status: 400, body: {}, bodyText: ' {} ' }, ctx)
    if (failed.kind === 'retry') throw new Error('unexpected')
    expect(JSON.parse(failed.line)).toMatchObject({ response: { status_code: 400, body: {} } })
    expect(failed.line).toContain('"body": {} }')
  })

  it('retries retryable failures with backoff or the provider delay', () => {
    expect(outcomeOf(request(1), { type: 'response', status: 503, body: {} }, ctx)).toEqual({
      batchId: 'batch_1',
      index: 3,
      kind: 'retry',
      notBefore: 1_100,
    })
    expect(
      outcomeOf(request(2), { type: 'response', status: 429, body: {}, retryAfterMs: 500 }, ctx),
    ).toMatchObject({
      kind: 'retry',
      notBefore: 1_550,
    })
    expect(
      outcomeOf(request(1), { type: 'error', code: 'request_timeout', message: 't' }, ctx),
    ).toMatchObject({
      kind: 'retry',
    })
  })

  it('hands an unsent line back without using up an attempt, until the deadline', () => {
    const unsent = { type: 'error', code: 'request_failed', message: 'no capacity', sent: false } as const
    expect(outcomeOf(request(3), { ...unsent, retryAfterMs: 2_000 }, ctx)).toEqual({
      batchId: 'batch_1',
      index: 3,
      kind: 'retry',
      notBefore: 3_200,
      unsent: true,
    })
    expect(outcomeOf(request(3), unsent, ctx)).toMatchObject({ kind: 'retry', unsent: true })
    const late = outcomeOf(request(3), { ...unsent, retryAfterMs: 200_000 }, ctx)
    expect(late.kind).toBe('failed')
    expect(outcomeOf(request(1), { ...unsent, retryable: false }, ctx).kind).toBe('failed')
  })

  it('fails finally on 4xx, on retryable:false, after the last attempt, and when a retry would pass expires_at', () => {
    expect(outcomeOf(request(1), { type: 'response', status: 400, body: {} }, ctx).kind).toBe('failed')
    expect(
      outcomeOf(request(1), { type: 'response', status: 429, body: {}, retryable: false }, ctx).kind,
    ).toBe('failed')
    expect(outcomeOf(request(3), { type: 'response', status: 500, body: {} }, ctx).kind).toBe('failed')
    expect(
      outcomeOf(request(1), { type: 'response', status: 500, body: {} }, { ...ctx, expiresAt: 1_050 }).kind,
    ).toBe('failed')
    const network = outcomeOf(request(3), { type: 'error', code: 'request_failed', message: 'reset' }, ctx)
    if (network.kind === 'retry') throw new Error('unexpected')
    expect(JSON.parse(network.line)).toEqual({
      id: 'batch_req_1',
      custom_id: 'c-3',
      response: null,
      error: { code: 'request_failed', message: 'reset' },
    })
  })

  it('classifies statuses', () => {
    expect([408, 409, 429, 500, 502, 503].every(isRetryableStatus)).toBe(true)
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false)
  })
})

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters within [d/2, d]', () => {
    const opts = { baseMs: 100, maxMs: 1_000 }
    expect(backoffDelay(1, opts, () => 1)).toBe(100)
    expect(backoffDelay(3, opts, () => 1)).toBe(400)
    expect(backoffDelay(10, opts, () => 1)).toBe(1_000)
    expect(backoffDelay(3, opts, () => 0)).toBe(200)
  })
})

describe('extractUsage', () => {
  it('reads the chat, embeddings and responses shapes', () => {
    expect(
      extractUsage({
        usage: {
          prompt_tokens: 10,
          completion_tokens: 4,
          total_tokens: 14,
          prompt_tokens_details: { cached_tokens: 2 },
          completion_tokens_details: { reasoning_tokens: 1 },
        },
      }),
    ).toEqual({ inputTokens: 10, outputTokens: 4, totalTokens: 14, cachedTokens: 2, reasoningTokens: 1 })
    expect(extractUsage({ usage: { prompt_tokens: 7, total_tokens: 7 } })).toMatchObject({
      inputTokens: 7,
      totalTokens: 7,
    })
    expect(
      extractUsage({
        usage: {
          input_tokens: 5,
          output_tokens: 6,
          input_tokens_details: { cached_tokens: 1 },
          output_tokens_details: {},
        },
      }),
    ).toMatchObject({ inputTokens: 5, outputTokens: 6, cachedTokens: 1, totalTokens: 11 })
    expect(extractUsage({})).toBeUndefined()
    expect(extractUsage('text')).toBeUndefined()
  })
})
