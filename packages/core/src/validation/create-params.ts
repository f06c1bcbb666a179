/** Validation of the body of `POST /batches`, hand-written to give OpenAI's codes, params and messages. */
import { BatchkitError } from '../errors.ts'
import { type BatchEndpoint, batchEndpoints, completionWindows, metadataLimits } from '../wire/batch.ts'
import { parseExpiresAfter } from './expires-after.ts'
import { charLength, isJsonObject, type JsonObject, quote } from './json.ts'
import { invalidType, invalidValue, missingParam, unsupportedValue } from './param-errors.ts'
import { unstorable } from './storable-text.ts'

export { parseExpiresAfter } from './expires-after.ts'

/** The validated parameters of `POST /batches`. */
export interface CreateBatchParams {
  inputFileId: string
  endpoint: BatchEndpoint
  completionWindow: '24h'
  metadata: Record<string, string> | null
  /** `output_expires_after.seconds`, or null when not given. */
  outputExpiresAfter: number | null
}

/**
 * Validates an unvalidated `POST /batches` body. Throws `BatchkitError`: `invalid_request` when the body
 * is not a JSON object, `missing_required_parameter` / `invalid_type` / `invalid_value` with the param at
 * fault (`endpoint`, `metadata.<key>`, `output_expires_after.seconds`…). Unknown keys are ignored, as
 * OpenAI does. The existence of the input file is not checked here.
 */
export function parseCreateBatchParams(body: unknown): CreateBatchParams {
  if (!isJsonObject(body))
    throw new BatchkitError('invalid_request', 'The request body must be a JSON object.')
  const inputFileId = requiredString(body, 'input_file_id')
  if (inputFileId.length === 0) {
    throw invalidValue(
      'input_file_id',
      'empty string. Expected a string with minimum length 1, but got an empty string instead.',
    )
  }
  const idProblem = unstorable(inputFileId)
  if (idProblem !== null) {
    throw invalidValue(
      'input_file_id',
      `${quote(inputFileId)} contains ${idProblem}; no file has such an id.`,
    )
  }
  const endpoint = requiredString(body, 'endpoint')
  const completionWindow = requiredString(body, 'completion_window')
  if (!isBatchEndpoint(endpoint)) throw unsupportedValue('endpoint', endpoint, batchEndpoints)
  if (completionWindow !== '24h')
    throw unsupportedValue('completion_window', completionWindow, completionWindows)

  const metadata = parseMetadata(body.metadata)

  let outputExpiresAfter: number | null = null
  const expires = body.output_expires_after
  if (expires !== undefined && expires !== null) {
    if (!isJsonObject(expires)) throw invalidType('output_expires_after', 'an object', expires)
    outputExpiresAfter = parseExpiresAfter(expires, 'output_expires_after')
  }

  return { inputFileId, endpoint, completionWindow, metadata, outputExpiresAfter }
}

/**
 * Validates `metadata`: null or absent, or an object of at most 16 string values, keys of at most 64
 * characters and values of at most 512.
 */
export function parseMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null
  if (!isJsonObject(value)) throw invalidType('metadata', 'an object', value)
  const { maxKeys, maxKeyLength, maxValueLength } = metadataLimits
  const keys = Object.keys(value)
  if (keys.length > maxKeys) {
    throw invalidValue(
      'metadata',
      `too many properties. Expected an object with at most ${maxKeys} properties, but got an object with ${keys.length} properties instead.`,
    )
  }
  const entries: [string, string][] = []
  for (const key of keys) {
    if (key.length > maxKeyLength && charLength(key) > maxKeyLength) {
      throw invalidValue(
        'metadata',
        `key too long. Expected keys of at most ${maxKeyLength} characters, but got the key ${quote(key)} with ${charLength(key)} characters instead.`,
      )
    }
    const keyProblem = unstorable(key)
    if (keyProblem !== null) {
      throw invalidValue('metadata', `the key ${quote(key)} contains ${keyProblem}, which cannot be stored.`)
    }
    const item = value[key]
    const param = `metadata.${key}`
    if (typeof item !== 'string') throw invalidType(param, 'a string', item)
    const valueProblem = unstorable(item)
    if (valueProblem !== null) {
      throw invalidValue(param, `the value ${quote(item)} contains ${valueProblem}, which cannot be stored.`)
    }
    if (item.length > maxValueLength && charLength(item) > maxValueLength) {
      throw invalidValue(
        param,
        `string too long. Expected a string with maximum length ${maxValueLength}, but got a string with length ${charLength(item)} instead.`,
      )
    }
    entries.push([key, item])
  }
  // fromEntries defines own properties, so a key like `__proto__` stays an ordinary key.
  return Object.fromEntries(entries)
}

function requiredString(body: JsonObject, param: string): string {
  const value = body[param]
  if (value === undefined) throw missingParam(param)
  if (typeof value !== 'string') throw invalidType(param, 'a string', value)
  return value
}

function isBatchEndpoint(value: string): value is BatchEndpoint {
  return (batchEndpoints as readonly string[]).includes(value)
}
