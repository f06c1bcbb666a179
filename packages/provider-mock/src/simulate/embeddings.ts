import { unitInterval } from '@batchkit/core/provider'
import type { SimulateContext } from './context.ts'
import { modelOf, numberField } from './fields.ts'
import { estimateTokens } from './tokens.ts'

/** Vector size of the mock model's embeddings unless the body asks for `dimensions`. */
export const mockEmbeddingDimensions = 8

/** One `embedding` object; `embedding` is base64 (little-endian float32) when the body asked for it. */
export interface EmbeddingObject {
  object: 'embedding'
  index: number
  embedding: number[] | string
}

/** OpenAI's embeddings response: a list of `embedding` objects. */
export interface EmbeddingList {
  object: 'list'
  data: EmbeddingObject[]
  model: string
  usage: { prompt_tokens: number; total_tokens: number }
}

/** The inputs of an embeddings body: a string, strings, a token array, or token arrays. */
function inputs(input: unknown): { key: string; tokens: number }[] {
  if (typeof input === 'string') return [{ key: input, tokens: estimateTokens(input) }]
  if (!Array.isArray(input)) return []
  if (input.length > 0 && typeof input[0] === 'number')
    return [{ key: input.join(','), tokens: input.length }]
  return input.map((item) =>
    typeof item === 'string'
      ? { key: item, tokens: estimateTokens(item) }
      : { key: Array.isArray(item) ? item.join(',') : '', tokens: Array.isArray(item) ? item.length : 0 },
  )
}

/**
 * A unit-length vector derived from `key` alone: equal inputs embed equally.
 *
 * @example
 * mockVector('hello', 8).length // 8
 */
export function mockVector(key: string, dimensions: number): number[] {
  const vector: number[] = []
  let norm = 0
  for (let i = 0; i < dimensions; i++) {
    const value = unitInterval('embedding', key, i) * 2 - 1
    vector.push(value)
    norm += value * value
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
  return vector.map((v) => Math.fround(v * scale))
}

/** Little-endian float32 bytes of a vector, base64 encoded (OpenAI's `encoding_format: 'base64'`). */
function toBase64(vector: number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4))
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] ?? 0, true)
  let binary = ''
  for (let i = 0; i < view.byteLength; i++) binary += String.fromCharCode(view.getUint8(i))
  return btoa(binary)
}

/**
 * The mock model's answer to a `/v1/embeddings` body: one deterministic vector per input,
 * of `dimensions` (default {@link mockEmbeddingDimensions}) floats.
 *
 * @example
 * simulateEmbeddings({ model: 'text-embedding-3-small', input: ['a', 'b'] },
 *   { key: 'batch_req_1', created: 0 }).data.length // 2
 */
export function simulateEmbeddings(body: Record<string, unknown>, _ctx: SimulateContext): EmbeddingList {
  const dimensions = Math.min(
    4096,
    Math.max(1, Math.floor(numberField(body, 'dimensions') ?? mockEmbeddingDimensions)),
  )
  const base64 = body.encoding_format === 'base64'
  let tokens = 0
  const data = inputs(body.input).map((item, index): EmbeddingObject => {
    tokens += item.tokens
    const vector = mockVector(item.key, dimensions)
    return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector }
  })
  return {
    object: 'list',
    data,
    model: modelOf(body),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  }
}
