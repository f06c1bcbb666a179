import { type BatchEngine, createBatchEngine, type Store } from '@batchkit/core'
import { startRunnerLoop } from '@batchkit/core/node'
import { batchkitExpress } from '@batchkit/express'
import { mockProvider } from '@batchkit/provider-mock'
import { memoryStore } from '@batchkit/store-memory'
import express, { type Express as ExpressApp, type Request } from 'express'

/** The app's own users: an API token each (a stand-in for the app's real auth). */
const users = new Map([
  ['token-alice', { id: 'alice' }],
  ['token-bob', { id: 'bob' }],
])

declare global {
  namespace Express {
    interface Request {
      user?: { id: string }
    }
  }
}

/**
 * An Express 5 app as a host would have it — a JSON body parser for all routes, its own auth middleware
 * setting `req.user` — with batchkit mounted under `/v1`, each user a tenant.
 *
 * @example
 * const app = createApp()
 * app.listen(3000)
 */
export function createApp(options: { store?: Store } = {}): {
  app: ExpressApp
  engine: BatchEngine
  stop(): Promise<void>
} {
  const engine = createBatchEngine({
    store: options.store ?? memoryStore(),
    providers: [mockProvider({ latencyMs: 5 })],
  })
  const app = express()
  app.use(express.json())
  app.use((req, res, next) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1]
    const user = token ? users.get(token) : undefined
    if (!user) {
      res
        .status(401)
        .json({ error: { message: 'Unknown token.', type: 'authentication_error', param: null, code: null } })
      return
    }
    req.user = user
    next()
  })
  app.get('/me', (req, res) => {
    res.json(req.user)
  })
  app.use('/v1', batchkitExpress({ engine, authorize: (req: Request) => ({ ownerId: req.user!.id }) }))
  const loop = startRunnerLoop(engine.runner)
  return { app, engine, stop: () => loop.stop() }
}
