import { type Logger, loggableFields } from '@batchkit/core'

const line = (message: string, fields?: Record<string, unknown>): string =>
  `[batchkit] ${message}${fields ? ` ${JSON.stringify(loggableFields(fields))}` : ''}`

/** batchkit's log lines on the Worker's console (`wrangler tail`, Workers Logs), errors with their stack. */
export const workerLogger: Logger = {
  info: (message, fields) => console.log(line(message, fields)),
  warn: (message, fields) => console.warn(line(message, fields)),
  error: (message, fields) => console.error(line(message, fields)),
}
