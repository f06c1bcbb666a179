/**
 * Endpoint-specific checks of a request line's `body`: the field each endpoint requires, its JSON shape,
 * and the number of embedding inputs. Deeper schema checks are left to the upstream endpoint.
 */
import type { BatchEndpoint, BatchError } from '../wire/batch.ts'
import { describeType, isJsonObject, type JsonObject } from './json.ts'
import { lineError, missingParameter } from './line-error.ts'

/** The API name of each endpoint, as OpenAI words it in messages ("Chat Completions: …"). */
export const endpointApiNames: Record<BatchEndpoint, string> = {
  '/v1/chat/completions': 'Chat Completions',
  '/v1/completions': 'Completions',
  '/v1/embeddings': 'Embeddings',
  '/v1/moderations': 'Moderations',
  '/v1/responses': 'Responses',
}

/**
 * Checks the field `endpoint` requires in `body` (chat: `messages`, completions: `prompt`, embeddings,
 * moderations and responses: `input`), appending errors to `errors`. Returns the number of embedding inputs of the line
 * (0 for other endpoints or when the input is invalid).
 */
export function checkEndpointBody(
  body: JsonObject,
  endpoint: BatchEndpoint,
  line: number,
  errors: BatchError[],
): number {
  switch (endpoint) {
    case '/v1/chat/completions':
      checkMessages(body.messages, line, errors)
      return 0
    case '/v1/completions':
      checkInputs(body.prompt, 'body.prompt', line, errors)
      return 0
    case '/v1/embeddings':
      return checkInputs(body.input, 'body.input', line, errors)
    case '/v1/moderations':
      checkModerationInput(body.input, line, errors)
      return 0
    case '/v1/responses':
      checkResponsesInput(body, line, errors)
      return 0
  }
}

function checkMessages(messages: unknown, line: number, errors: BatchError[]): void {
  const param = 'body.messages'
  if (messages === undefined) {
    errors.push(missingParameter(param, line))
  } else if (!Array.isArray(messages)) {
    errors.push(invalidType(param, 'an array', messages, line))
  } else if (messages.length === 0) {
    errors.push(
      lineError(
        'invalid_request',
        `Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
        param,
        line,
      ),
    )
  } else {
    const bad = messages.findIndex((m) => !isJsonObject(m))
    if (bad >= 0) errors.push(invalidType(`${param}[${bad}]`, 'an object', messages[bad], line))
  }
}

/**
 * Checks an embeddings `input` or completions `prompt`: a string, or a non-empty array of strings, of
 * token ids or of token-id arrays. Returns how many inputs it holds (a token-id array is one input).
 */
function checkInputs(value: unknown, param: string, line: number, errors: BatchError[]): number {
  if (value === undefined) {
    errors.push(missingParameter(param, line))
    return 0
  }
  if (typeof value === 'string') return 1
  if (!Array.isArray(value)) {
    errors.push(invalidType(param, 'a string or an array', value, line))
    return 0
  }
  if (value.length === 0) {
    errors.push(
      lineError(
        'invalid_request',
        `Invalid '${param}': empty array. Expected a string or a non-empty array, but got an empty array instead.`,
        param,
        line,
      ),
    )
    return 0
  }
  const first = value[0]
  const kind = Array.isArray(first) ? 'array' : typeof first
  if (kind === 'string' || kind === 'number' || kind === 'array') {
    const same = value.every((v) => (kind === 'array' ? Array.isArray(v) : typeof v === kind))
    if (same) return kind === 'number' ? 1 : value.length
  }
  errors.push(
    lineError(
      'invalid_request',
      `Invalid '${param}': expected a string, an array of strings, an array of token ids or an array of token-id arrays.`,
      param,
      line,
    ),
  )
  return 0
}

/** Responses: `input` is a string or an array; it may be left out when `prompt` references a stored prompt. */
function checkResponsesInput(body: JsonObject, line: number, errors: BatchError[]): void {
  const input = body.input
  if (input === undefined) {
    if (!isJsonObject(body.prompt)) errors.push(missingParameter('body.input', line))
  } else if (typeof input !== 'string' && !Array.isArray(input)) {
    errors.push(invalidType('body.input', 'a string or an array', input, line))
  }
}

/**
 * Moderations: `input` is a string, a non-empty array of strings, or a non-empty array of multimodal
 * parts (`{type:'text', text}` / `{type:'image_url', image_url:{url}}`).
 */
function checkModerationInput(input: unknown, line: number, errors: BatchError[]): void {
  const param = 'body.input'
  if (input === undefined) {
    errors.push(missingParameter(param, line))
  } else if (typeof input === 'string') {
    return
  } else if (!Array.isArray(input)) {
    errors.push(invalidType(param, 'a string or an array', input, line))
  } else if (input.length === 0) {
    errors.push(
      lineError(
        'invalid_request',
        `Invalid '${param}': empty array. Expected a string or a non-empty array, but got an empty array instead.`,
        param,
        line,
      ),
    )
  } else if (!input.every((item) => typeof item === 'string') && !input.every(isModerationPart)) {
    errors.push(
      lineError(
        'invalid_request',
        `Invalid '${param}': expected a string, an array of strings, or an array of {type: 'text' | 'image_url'} objects.`,
        param,
        line,
      ),
    )
  }
}

/** A multimodal moderation part: `{type:'text', text}` or `{type:'image_url', image_url:{url}}`. */
function isModerationPart(item: unknown): boolean {
  if (!isJsonObject(item)) return false
  if (item.type === 'text') return typeof item.text === 'string'
  if (item.type === 'image_url') return isJsonObject(item.image_url) && typeof item.image_url.url === 'string'
  return false
}

function invalidType(param: string, expected: string, value: unknown, line: number): BatchError {
  return lineError(
    'invalid_request',
    `Invalid type for '${param}': expected ${expected}, but got ${describeType(value)} instead.`,
    param,
    line,
  )
}
