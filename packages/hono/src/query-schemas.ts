import { BatchkitError, filePurposes } from '@batchkit/core'
import { z } from 'zod'

/** Longest `after` cursor accepted; ids are far shorter. */
const maxCursorLength = 256

/** A query parameter that must be an integer in `[min, max]`, sent as decimal digits. */
const integerParam = (min: number, max: number) => {
  const error = `expected an integer from ${min} to ${max}.`
  return z
    .string({ error })
    .regex(/^\d{1,9}$/, { error })
    .transform(Number)
    .pipe(z.number().int().min(min, { error }).max(max, { error }))
}

const cursorParam = z
  .string({ error: 'expected an object id.' })
  .min(1, { error: 'expected an object id.' })
  .max(maxCursorLength, { error: `expected an object id of at most ${maxCursorLength} characters.` })

/**
 * Query of `GET /batches`: `after` (a batch id) and `limit` (1–100). Unknown parameters are ignored.
 *
 * @example
 * batchListQuery.parse({ limit: '20' }) // { limit: 20 }
 */
export const batchListQuery = z.object({
  after: cursorParam.optional(),
  limit: integerParam(1, 100).optional(),
})

/**
 * Query of `GET /files`: `purpose`, `limit` (1–10,000), `order` (`asc`/`desc`), `after` (a file id).
 *
 * @example
 * fileListQuery.parse({ purpose: 'batch', order: 'asc' })
 */
export const fileListQuery = z.object({
  purpose: z
    .enum(filePurposes, { error: `expected one of ${filePurposes.map((p) => `'${p}'`).join(', ')}.` })
    .optional(),
  limit: integerParam(1, 10_000).optional(),
  order: z.enum(['asc', 'desc'], { error: "expected 'asc' or 'desc'." }).optional(),
  after: cursorParam.optional(),
})

/** What @hono/zod-validator hands a hook: the parse outcome and the raw query. */
export interface QueryValidationResult {
  success: boolean
  error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }
  data: unknown
}

/**
 * Hook for `zValidator('query', schema, openAIQueryHook)`: turns the first zod issue into OpenAI's 400
 * `invalid_value` envelope naming the parameter (`param: 'limit'`) and echoing the value sent.
 *
 * @example
 * app.get('/batches', zValidator('query', batchListQuery, openAIQueryHook), handler)
 */
export function openAIQueryHook(result: QueryValidationResult): void {
  if (result.success) return
  const issue = result.error?.issues[0]
  const param = typeof issue?.path[0] === 'string' ? issue.path[0] : null
  const sent = param === null ? undefined : rawValue(result.data, param)
  const shown = sent === undefined ? '' : ` Got ${sent}.`
  const message = `Invalid value for query parameter '${param ?? 'query'}': ${issue?.message ?? 'invalid.'}${shown}`
  throw new BatchkitError('invalid_value', message, { param })
}

/** The raw value of `param` in the unparsed query, quoted and shortened for an error message. */
function rawValue(data: unknown, param: string): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const value: unknown = (data as Record<string, unknown>)[param]
  if (Array.isArray(value)) return `${value.length} values`
  if (typeof value !== 'string') return undefined
  return `'${value.length > 64 ? `${value.slice(0, 64)}…` : value}'`
}
