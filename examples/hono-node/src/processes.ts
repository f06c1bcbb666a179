/**
 * Helpers of the process-level tests (`*.test.ts` beside this file): start the reference server and
 * `pnpm worker` as real child processes, watch their output, kill them.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** A running child process of the example. */
export interface RunningProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Everything it printed so far (stdout and stderr). */
  output(): string
  /** Resolves with the first match of `pattern` in its output (fails after `timeoutMs` or on exit). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** Resolves with the exit code (or signal name) once it exited. */
  readonly exited: Promise<number | string>
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>
}

/** Starts `src/<entry>.ts` of the example with `env` added to this process's environment. */
export function startExample(entry: 'main' | 'worker', env: Record<string, string>): RunningProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join('examples/hono-node/src', `${entry}.ts`)],
    {
      cwd: repoRoot,
      env: { ...process.env, BATCHKIT_LOG: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let text = ''
  const listeners = new Set<() => void>()
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8')
    for (const listener of listeners) listener()
  }
  child.stdout!.on('data', append)
  child.stderr!.on('data', append)
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown')
      for (const listener of listeners) listener()
    })
  })
  let done = false
  void exited.then(() => {
    done = true
  })

  return {
    child,
    pid: child.pid!,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = text.match(pattern)
          if (match) finish(() => resolve(match))
          else if (done)
            finish(() => reject(new Error(`process exited before printing ${pattern}:\n${text}`)))
        }
        const timer = setTimeout(
          () => finish(() => reject(new Error(`timed out waiting for ${pattern}:\n${text}`))),
          timeoutMs,
        )
        const finish = (then: () => void): void => {
          clearTimeout(timer)
          listeners.delete(check)
          then()
        }
        listeners.add(check)
        check()
      })
    },
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal)
      return exited
    },
  }
}

/** Starts a worker process (`pnpm worker`) and waits until it runs. */
export async function startWorker(env: Record<string, string>): Promise<RunningProcess> {
  const worker = startExample('worker', env)
  await worker.waitFor(/batchkit worker \d+ running/, 60_000)
  return worker
}

/** Starts the reference server on a free port and waits for its URL. */
export async function startServer(env: Record<string, string>): Promise<RunningProcess & { url: string }> {
  const server = startExample('main', { PORT: '0', ...env })
  const [, url] = await server.waitFor(/listening on (\S+)/, 60_000)
  return Object.assign(server, { url: url! })
}

/** Polls `read` until `done` holds for its value (fails after `timeoutMs`). */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, everyMs = 100, what = 'condition' } = {},
): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
