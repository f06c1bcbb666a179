import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { fieldsFirstLogger, pinoLogger, withLogFields } from './logging.ts'

/** A real pino logger writing JSON lines into `records`. */
function capturedPino(level: pino.Level = 'debug'): {
  logger: pino.Logger
  records: Record<string, unknown>[]
} {
  const records: Record<string, unknown>[] = []
  const logger = pino(
    { level, base: null, timestamp: false },
    { write: (line: string) => records.push(JSON.parse(line)) },
  )
  return { logger, records }
}

describe('pinoLogger', () => {
  it('writes batchkit’s fields as properties and the message as msg (pino takes fields first)', () => {
    const { logger, records } = capturedPino()
    const log = pinoLogger(logger)
    log.info?.('batch finished', { batch: 'batch_1', status: 'completed', counts: { total: 2 } })
    log.warn?.('lease heartbeat failed')
    expect(records).toEqual([
      { level: 30, msg: 'batch finished', batch: 'batch_1', status: 'completed', counts: { total: 2 } },
      { level: 40, msg: 'lease heartbeat failed' },
    ])
  })

  it('moves an Error in `error` to `err`, where pino’s serializer keeps its message and stack', () => {
    const { logger, records } = capturedPino()
    pinoLogger(logger).error?.('batchkit: request failed', {
      path: '/v1/files',
      error: new TypeError('boom'),
    })
    const record = records[0]!
    expect(record).toMatchObject({ level: 50, msg: 'batchkit: request failed', path: '/v1/files' })
    expect(record).not.toHaveProperty('error')
    expect(record.err).toMatchObject({ type: 'TypeError', message: 'boom' })
    expect(String((record.err as { stack?: unknown }).stack)).toContain('TypeError: boom')
  })

  it('leaves a string `error` where it is', () => {
    const { logger, records } = capturedPino()
    pinoLogger(logger).error?.('runner tick failed', { error: 'Error: connection refused' })
    expect(records).toEqual([{ level: 50, msg: 'runner tick failed', error: 'Error: connection refused' }])
  })

  it('follows the pino logger’s level and child bindings', () => {
    const { logger, records } = capturedPino('warn')
    const log = pinoLogger(logger.child({ component: 'batchkit' }))
    log.debug?.('claimed', { lines: 3 })
    log.info?.('batch in progress', { batch: 'batch_1' })
    log.warn?.('native submit failed; retrying', { batch: 'batch_1' })
    expect(records).toEqual([
      { level: 40, component: 'batchkit', msg: 'native submit failed; retrying', batch: 'batch_1' },
    ])
    logger.level = 'debug'
    log.debug?.('claimed', { lines: 3 })
    expect(records.at(-1)).toEqual({ level: 20, component: 'batchkit', msg: 'claimed', lines: 3 })
  })
})

describe('fieldsFirstLogger', () => {
  it('swaps the arguments, keeps `this`, and stays silent for levels the target lacks', () => {
    const calls: unknown[][] = []
    const target = {
      prefix: 'app',
      info(this: { prefix: string }, fields: Record<string, unknown>, message: string) {
        calls.push([this.prefix, fields, message])
      },
    }
    const log = fieldsFirstLogger(target)
    log.info?.('batch in progress', { batch: 'batch_1', total: 2 })
    log.info?.('no fields')
    expect(log.error).toBeUndefined()
    expect(calls).toEqual([
      ['app', { batch: 'batch_1', total: 2 }, 'batch in progress'],
      ['app', {}, 'no fields'],
    ])
  })
})

describe('withLogFields', () => {
  it('adds its fields to every line; fields of the line win; levels the logger lacks stay absent', () => {
    const { logger, records } = capturedPino()
    const base = pinoLogger(logger)
    const { debug: _dropped, ...noDebug } = base
    const log = withLogFields(noDebug, { batch: 'batch_1', step: 'validate' })
    log.warn?.('native submit failed; retrying', { error: 'boom' })
    log.info?.('moved', { step: 'finish' })
    log.error?.('plain')
    expect(log.debug).toBeUndefined()
    expect(records).toEqual([
      { level: 40, msg: 'native submit failed; retrying', batch: 'batch_1', step: 'validate', error: 'boom' },
      { level: 30, msg: 'moved', batch: 'batch_1', step: 'finish' },
      { level: 50, msg: 'plain', batch: 'batch_1', step: 'validate' },
    ])
  })

  it('nests: an inner scope adds to the outer one', () => {
    const lines: [string, Record<string, unknown> | undefined][] = []
    const log = withLogFields(withLogFields({ info: (m, f) => lines.push([m, f]) }, { batch: 'b' }), {
      request: 'r',
    })
    log.info?.('line')
    expect(lines).toEqual([['line', { batch: 'b', request: 'r' }]])
  })
})
