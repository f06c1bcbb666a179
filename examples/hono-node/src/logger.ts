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
