import { numberField } from './fields.ts'

/** How much the mock model answers at most to one request, like the limits of OpenAI's endpoints. */
export const mockLimits = {
  /** Items in an `input` (embeddings) or `prompt` (completions) array: OpenAI's 2,048. */
  maxArrayItems: 2_048,
  /** `dimensions` of an embedding (OpenAI's largest model has 3,072). */
  maxDimensions: 3_072,
  /** Embedding values in one answer (inputs × dimensions): about 20 MB of JSON. */
  maxEmbeddingValues: 1_048_576,
  /** `n`: choices per prompt (OpenAI's 128). */
  maxN: 128,
  /** Choices in one answer: the prompts of a completions request times `n`. */
  maxChoices: 2_048,
} as const

/** Why the mock refuses to answer a request (the 400 a real endpoint would give), with its param. */
export interface Refusal {
  message: string
  param: string
}

const arrayLength = (value: unknown): number => (Array.isArray(value) ? value.length : 1)

/**
 * The refusal of a request whose answer would exceed {@link mockLimits}, or null: the mock never
 * builds an answer bigger than that, whatever a line asks for.
 *
 * @example
 * refusalOf('/v1/embeddings', { model: 'm', input: Array(6000).fill('x') })?.param // 'input'
 */
export function refusalOf(endpoint: string, body: Record<string, unknown>): Refusal | null {
  const n = Math.floor(numberField(body, 'n') ?? 1)
  if (n > mockLimits.maxN) {
    return { param: 'n', message: `${n} is greater than the maximum of ${mockLimits.maxN} - 'n'` }
  }
  if (endpoint === '/v1/embeddings') {
    const inputs =
      Array.isArray(body.input) && typeof body.input[0] !== 'number' ? arrayLength(body.input) : 1
    if (inputs > mockLimits.maxArrayItems) {
      return {
        param: 'input',
        message: `'$.input' is invalid: an array of at most ${mockLimits.maxArrayItems} inputs is allowed, got ${inputs}.`,
      }
    }
    const dimensions = Math.floor(numberField(body, 'dimensions') ?? 0)
    if (dimensions > mockLimits.maxDimensions) {
      return {
        param: 'dimensions',
        message: `This model supports at most ${mockLimits.maxDimensions} dimensions, got ${dimensions}.`,
      }
    }
    if (inputs * Math.max(dimensions, 1) > mockLimits.maxEmbeddingValues) {
      return {
        param: 'input',
        message: `The answer would hold ${inputs * dimensions} embedding values; the mock model answers at most ${mockLimits.maxEmbeddingValues} per request.`,
      }
    }
  }
  if (endpoint === '/v1/completions') {
    const prompts =
      Array.isArray(body.prompt) && typeof body.prompt[0] !== 'number' ? arrayLength(body.prompt) : 1
    if (prompts > mockLimits.maxArrayItems) {
      return {
        param: 'prompt',
        message: `'$.prompt' is invalid: an array of at most ${mockLimits.maxArrayItems} prompts is allowed, got ${prompts}.`,
      }
    }
    if (prompts * Math.max(n, 1) > mockLimits.maxChoices) {
      return {
        param: 'n',
        message: `${prompts} prompts × n = ${n} would make ${prompts * n} choices; at most ${mockLimits.maxChoices} are answered per request.`,
      }
    }
  }
  return null
}
