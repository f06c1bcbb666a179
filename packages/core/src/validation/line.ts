/**
 * Validation of one parsed input line against the batch endpoint, with OpenAI's observed error codes.
 * Hand-written (no zod): it runs once per line on files of up to 50,000 lines.
 */
import type { BatchEndpoint, BatchError } from '../wire/batch.ts'
import { checkEndpointBody, endpointApiNames } from './endpoint-body.ts'
import { describeType, isJsonObject, quote } from './json.ts'
import { lineError, missingParameter } from './line-error.ts'
import { unstorable } from './storable-text.ts'

/**
 * The result of {@link checkRequestLine}. On failure `customId` and `model` are still given when they are
 * themselves valid, so duplicate ids and mixed models can be reported on invalid lines too.
 */
export type LineCheck =
  | { ok: true; customId: string; model: string; embeddingInputs: number }
  | { ok: false; errors: BatchError[]; customId: string | null; model: string | null }

/**
 * Checks one parsed line of a batch input file: the `custom_id`/`method`/`url`/`body` envelope, that `url`
 * matches `endpoint` (with or without its `/v1` prefix), no streaming, a model, and the endpoint's required
 * body field. Reports every problem found, each with the 1-based `line` and a dotted `param`.
 * `embeddingInputs` counts the inputs of an `/v1/embeddings` line (0 for other endpoints).
 * `custom_id` has no length limit (OpenAI documents none).
 */
export function checkRequestLine(value: unknown, line: number, endpoint: BatchEndpoint): LineCheck {
  if (!isJsonObject(value)) {
    return {
      ok: false,
      errors: [lineError('invalid_request', `Line ${line} is not a JSON object.`, null, line)],
      customId: null,
      model: null,
    }
  }
  const errors: BatchError[] = []

  let customId: string | null = null
  const rawId = value.custom_id
  if (rawId === undefined) errors.push(missingParameter('custom_id', line))
  else if (typeof rawId === 'string' && rawId.length > 0) {
    const why = unstorable(rawId)
    if (why === null) customId = rawId
    else
      errors.push(
        invalid(
          'custom_id',
          `'custom_id' ${quote(rawId, 40)} contains ${why}, which cannot be stored.`,
          line,
        ),
      )
  } else
    errors.push(
      invalid('custom_id', `'custom_id' must be a non-empty string, but got ${describe(rawId)}.`, line),
    )

  const method = value.method
  if (method === undefined) errors.push(missingParameter('method', line))
  else if (method !== 'POST') {
    errors.push(invalid('method', `Invalid method ${describe(method)}: only 'POST' is supported.`, line))
  }

  const url = value.url
  if (url === undefined) errors.push(missingParameter('url', line))
  else if (typeof url !== 'string') {
    errors.push(invalid('url', `'url' must be a string, but got ${describeType(url)}.`, line))
  } else if (url !== endpoint && `/v1${url}` !== endpoint) {
    errors.push(
      lineError(
        'invalid_url',
        `The URL ${quote(url, 100)} of this line does not match the batch endpoint '${endpoint}'.`,
        'url',
        line,
      ),
    )
  }

  let model: string | null = null
  let embeddingInputs = 0
  const body = value.body
  if (body === undefined) errors.push(missingParameter('body', line))
  else if (!isJsonObject(body)) {
    errors.push(invalid('body', `'body' must be a JSON object, but got ${describeType(body)}.`, line))
  } else {
    if (body.stream === true) {
      errors.push(
        lineError(
          'streaming_unsupported',
          `${endpointApiNames[endpoint]}: Streaming is not supported in the Batch API.`,
          'body.stream',
          line,
        ),
      )
    }
    const rawModel = body.model
    const modelProblem = typeof rawModel === 'string' ? unstorable(rawModel) : null
    if (typeof rawModel === 'string' && modelProblem !== null) {
      errors.push(
        invalid(
          'body.model',
          `Model ${quote(rawModel, 40)} contains ${modelProblem}, which cannot be stored.`,
          line,
        ),
      )
    } else if (typeof rawModel === 'string' && rawModel.length > 0) model = rawModel
    else if (rawModel === undefined) errors.push(invalid('body.model', 'Model parameter is required.', line))
    else {
      errors.push(
        invalid(
          'body.model',
          `Model parameter is required and must be a non-empty string, but got ${describe(rawModel)}.`,
          line,
        ),
      )
    }
    embeddingInputs = checkEndpointBody(body, endpoint, line, errors)
  }

  if (errors.length > 0) return { ok: false, errors, customId, model }
  return { ok: true, customId: customId!, model: model!, embeddingInputs }
}

function invalid(param: string, message: string, line: number): BatchError {
  return lineError('invalid_request', message, param, line)
}

/** A value for a message: short strings quoted, anything else by type. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length === 0 ? 'an empty string' : quote(value, 40)
  }
  return describeType(value)
}
