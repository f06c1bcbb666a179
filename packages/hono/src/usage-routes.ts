import { type BatchEngine, BatchkitError, type UsageDimension, type UsageRow } from '@batchkit/core'
import { zValidator } from '@hono/zod-validator'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { BatchRouterEnv } from './env.ts'
import { openAIQueryHook } from './query-schemas.ts'

/** The keys `GET /usage` groups by (the owner is always the caller's tenant). */
const groupable = ['day', 'provider', 'model', 'mode'] as const satisfies readonly UsageDimension[]

/** Unix seconds, as decimal digits. */
const unixSeconds = z
  .string({ error: 'expected a Unix time in seconds.' })
  .regex(/^\d{1,11}$/, { error: 'expected a Unix time in seconds.' })
  .transform(Number)

const groupByError = `expected a comma-separated list of ${groupable.map((d) => `'${d}'`).join(', ')}.`

/**
 * Query of `GET /usage`: `start_time` (required) and `end_time` (default now), Unix seconds, whole UTC
 * days from the day `start_time` falls on to the day before `end_time`; `group_by`, keys from `day`,
 * `provider`, `model`, `mode` (comma-separated or repeated; all four by default).
 */
const usageQuery = z.object({
  start_time: unixSeconds,
  end_time: unixSeconds.optional(),
  group_by: z
    .union([z.string(), z.array(z.string())], { error: groupByError })
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')))
    .pipe(z.array(z.enum(groupable, { error: groupByError })))
    .optional(),
})

/** One row of `GET /usage` (snake_case, like OpenAI's usage objects). */
function wireRow(row: UsageRow) {
  return {
    object: 'usage.result',
    day: row.day,
    provider: row.provider,
    model: row.model,
    mode: row.mode,
    requests: row.requests,
    input_tokens: row.inputTokens,
    cached_tokens: row.cachedTokens,
    output_tokens: row.outputTokens,
    reasoning_tokens: row.reasoningTokens,
    total_tokens: row.totalTokens,
    cost_usd: row.costUsd,
    unpriced_models: row.unpricedModels,
  }
}

/**
 * `GET /usage` of the caller's tenant (the scope `auth` sets): tokens, requests and (with the engine's
 * price table) cost from the engine's usage rollup. Mounted by `createBatchRouter` only with
 * `usageRoute: true`.
 *
 * @example
 * router.route('/usage', usageRoutes(engine, auth))
 */
export function usageRoutes(
  engine: BatchEngine,
  auth: MiddlewareHandler<BatchRouterEnv>,
): Hono<BatchRouterEnv> {
  const usage = new Hono<BatchRouterEnv>()
  usage.get('/', auth, zValidator('query', usageQuery, openAIQueryHook), async (c) => {
    const query = c.req.valid('query')
    const from = query.start_time * 1000
    const to = query.end_time === undefined ? engine.clock.now() : query.end_time * 1000
    if (to <= from) {
      throw new BatchkitError(
        'invalid_value',
        "Invalid value for query parameter 'end_time': expected a time after 'start_time'.",
        { param: 'end_time' },
      )
    }
    const groupBy = query.group_by ?? groupable
    const rows = await engine.usage({ ownerId: c.var.scope.ownerId, from, to, groupBy })
    return c.json({
      object: 'list',
      start_time: query.start_time,
      end_time: Math.ceil(to / 1000),
      group_by: groupBy,
      data: rows.map(wireRow),
    })
  })
  return usage
}
