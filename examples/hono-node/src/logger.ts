import { type Logger, loggableFields } from '@batchkit/core'

const order = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 } as const

/** A console logger printing one line per event at or above `level`. */
export function consoleLogger(level: keyof typeof order): Logger {
  const at = order[level]
  const line = (tag: string, message: string, fields?: Record<string, unknown>): string =>
    `[batchkit] ${tag} ${message}${fields ? ` ${JSON.stringify(loggableFields(fields))}` : ''}`
  return {
    debug: at <= 0 ? (m, f) => console.debug(line('debug', m, f)) : undefined,
    info: at <= 1 ? (m, f) => console.info(line('info', m, f)) : undefined,
    warn: at <= 2 ? (m, f) => console.warn(line('warn', m, f)) : undefined,
    error: at <= 3 ? (m, f) => console.error(line('error', m, f)) : undefined,
  }
}

/**
 * A last resort for the reference server and workers: a promise rejection nobody handled is logged as
 * an error, with its stack, instead of ending the process (Node's default). batchkit handles the
 * failures it expects (a database outage fails ticks, which are retried); this only keeps a stray
 * rejection — a bug, and logged as one — from taking every batch of the process down with it.
 *
 * @example
 * keepRunningOnStrayRejections(consoleLogger('info'))
 */
export function keepRunningOnStrayRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error?.('unhandled promise rejection (a bug: please report it); the process keeps running', {
      error: reason,
    })
  })
}
