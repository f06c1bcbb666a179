/** Child Node processes running TypeScript sources (through tsx, with the workspace's `source` condition). */
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The bench package's directory: children run from it so `--import tsx` resolves. */
export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Children still running: killed when this process exits, even on a crash, so none is left behind. */
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

function track(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
}

/** A started child process whose first stdout line was its handshake (usually a URL). */
export interface NodeChild {
  readonly child: ChildProcess
  readonly pid: number
  /** The first line the child printed on stdout. */
  readonly firstLine: string
  /** Further stdout lines (after the first). */
  readonly lines: string[]
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>
}

/** Options of {@link startNode}. */
export interface StartNodeOptions {
  args?: string[]
  env?: Record<string, string | undefined>
  /** Extra `node` flags (e.g. `--cpu-prof`). */
  nodeFlags?: string[]
  /** Fail when no first line arrives in time (default 30 s). */
  timeoutMs?: number
  /** Forward the child's stderr to ours (default: kept, shown only when it fails to start). */
  inheritStderr?: boolean
}

/**
 * Starts `node --conditions=source --import tsx <script>` and waits for its first stdout line.
 *
 * @example
 * const upstream = await startNode(cliPath, { args: ['--no-record'] })
 * console.log(upstream.firstLine) // http://127.0.0.1:PORT/v1
 */
export async function startNode(script: string, options: StartNodeOptions = {}): Promise<NodeChild> {
  const flags = [...(options.nodeFlags ?? []), '--conditions=source', '--import', 'tsx']
  const child = spawn(process.execPath, [...flags, script, ...(options.args ?? [])], {
    cwd: benchDir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'],
  })
  track(child)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString('utf8')
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const lines: string[] = []
  const rl = createInterface({ input: child.stdout! })
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} printed nothing in time\n${stderr}`)),
      options.timeoutMs ?? 30_000,
    )
    let first = true
    rl.on('line', (line) => {
      if (first) {
        first = false
        clearTimeout(timer)
        resolve(line)
      } else lines.push(line)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited (${code}) before its first line\n${stderr}`))
    })
  })
  return {
    child,
    pid: child.pid!,
    firstLine,
    lines,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * Runs a script to its end and parses its last stdout line as JSON (how scenario processes report).
 *
 * @example
 * const result = await runNodeJson<ScenarioOutput>(scenarioPath, { env: { LINES: '20000' } })
 */
export async function runNodeJson<T>(script: string, options: StartNodeOptions = {}): Promise<T> {
  const flags = [...(options.nodeFlags ?? []), '--conditions=source', '--import', 'tsx']
  const child = spawn(process.execPath, [...flags, script, ...(options.args ?? [])], {
    cwd: benchDir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  track(child)
  let stdout = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  const last = stdout.trim().split('\n').pop() ?? ''
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${stdout.slice(-2_000)}`)
  return JSON.parse(last) as T
}
