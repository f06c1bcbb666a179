import type { Logger } from './engine/types.ts'

/** The levels batchkit logs at. */
type Level = 'debug' | 'info' | 'warn' | 'error'
const levels: readonly Level[] = ['debug', 'info', 'warn', 'error']

/**
 * A logger whose methods take the structured fields first and the message second — pino, bunyan,
 * Fastify's `request.log`, hono-pino. Only the levels it has are used.
 */
export interface FieldsFirstLogger {
  debug?(fields: Record<string, unknown>, message: string): unknown
  info?(fields: Record<string, unknown>, message: string): unknown
  warn?(fields: Record<string, unknown>, message: string): unknown
  error?(fields: Record<string, unknown>, message: string): unknown
}

/**
 * The part of a pino logger that {@link pinoLogger} uses (structurally typed: batchkit does not depend
 * on pino). A `pino()` instance and its `child()` loggers fit.
 */
export interface PinoLike {
  debug(fields: Record<string, unknown>, message: string): unknown
  info(fields: Record<string, unknown>, message: string): unknown
  warn(fields: Record<string, unknown>, message: string): unknown
  error(fields: Record<string, unknown>, message: string): unknown
}

/**
 * Adapts a logger that takes `(fields, message)` to batchkit's {@link Logger}, which calls
 * `(message, fields)`. Methods are called on `target`, so loggers that rely on `this` keep working;
 * a level `target` lacks stays silent.
 *
 * @example
 * import { createBatchEngine, fieldsFirstLogger } from '@batchkit/core'
 * const engine = createBatchEngine({ store, providers, logger: fieldsFirstLogger(bunyan.createLogger({ name: 'app' })) })
 */
export function fieldsFirstLogger(target: FieldsFirstLogger): Logger {
  return adapt(target, (fields) => fields)
}

/**
 * A {@link Logger} writing to a pino logger: each event becomes one pino record with batchkit's fields
 * as properties and the message as `msg`; an `Error` in the `error` field moves to `err`, where pino's
 * standard serializer records its type, message and stack. The logger's level decides what is written.
 *
 * @example
 * import pino from 'pino'
 * import { createBatchEngine, pinoLogger } from '@batchkit/core'
 * const engine = createBatchEngine({ store, providers, logger: pinoLogger(pino().child({ component: 'batchkit' })) })
 */
export function pinoLogger(pino: PinoLike): Logger {
  return adapt(pino, (fields) => {
    const { error } = fields
    if (!(error instanceof Error) || 'err' in fields) return fields
    const { error: _moved, ...rest } = fields
    return { ...rest, err: error }
  })
}

function adapt(
  target: FieldsFirstLogger,
  shape: (fields: Record<string, unknown>) => Record<string, unknown>,
): Logger {
  const logger: Logger = {}
  for (const level of levels) {
    if (typeof target[level] !== 'function') continue
    logger[level] = (message, fields) => {
      target[level]?.(shape(fields ?? {}), message)
    }
  }
  return logger
}

/**
 * A {@link Logger} that adds `fields` to every line it writes (fields passed with a line win), e.g. the
 * batch a runner step works on. Levels `logger` lacks stay absent, so `scoped.debug?.()` still costs
 * nothing when debug is off.
 *
 * @example
 * import { withLogFields } from '@batchkit/core'
 * const log = withLogFields(logger, { batch: 'batch_abc' })
 * log.warn?.('native submit failed; retrying') // fields: { batch: 'batch_abc' }
 */
export function withLogFields(logger: Logger, fields: Record<string, unknown>): Logger {
  const scoped: Logger = {}
  for (const level of levels) {
    const log = logger[level]
    if (typeof log !== 'function') continue
    scoped[level] = (message, more) => {
      log.call(logger, message, more === undefined ? fields : { ...fields, ...more })
    }
  }
  return scoped
}
