import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a {@link WebhookReceiver} got. */
export interface ReceivedWebhook {
  headers: Record<string, string>
  body: string
  /** The status it answered. */
  status: number
}

/** How the receiver answers its `n`-th request (0-based): a status, optionally after a delay or with headers. */
export type WebhookAnswer = (
  n: number,
  request: { headers: Record<string, string>; body: string },
) => number | { status: number; delayMs?: number; headers?: Record<string, string> }

/** A loopback HTTP server that records the webhooks it gets and answers as scripted. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook`. */
  url: string
  received: ReceivedWebhook[]
  close(): Promise<void>
}

/** The request's headers as one string each, lower-case names. */
function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

/**
 * Starts a webhook receiver on 127.0.0.1 (for tests): records every request's headers and body, and
 * answers with `answer(n)` (200 by default). Delayed answers are given up on when the receiver closes.
 *
 * @example
 * const receiver = await startWebhookReceiver((n) => (n < 2 ? 503 : 200)) // fails the first two attempts
 */
export async function startWebhookReceiver(answer: WebhookAnswer = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = []
  let count = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const headers = headersOf(request)
      const body = Buffer.concat(chunks).toString('utf8')
      const scripted = answer(count++, { headers, body })
      const {
        status,
        delayMs = 0,
        headers: extra = {},
      } = typeof scripted === 'number' ? { status: scripted } : scripted
      const entry: ReceivedWebhook = { headers, body, status }
      received.push(entry)
      setTimeout(() => {
        response.writeHead(status, { 'content-type': 'text/plain', ...extra })
        response.end(status >= 200 && status < 300 ? 'ok' : `status ${status}`)
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
