import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PublishedPackage, publishedPackages, repoRoot } from './export-lists.ts'

/**
 * The published packages as a host gets them: `pnpm build`, `pnpm pack` of every package, then a
 * scratch app in the OS temp dir (outside the workspace) installs the tarballs and peers with plain npm
 * from the registry, type-checks against them with tsc (strict, nodenext, no @types/node for the
 * runtime-neutral entries) and runs a batch to `completed` through the openai SDK with plain `node`:
 * on the memory store, then on PostgreSQL with postgres.js 3.4.x and 4.x.
 */
const run = promisify(execFile)
const packages = publishedPackages()

/** An environment without the variables pnpm/npm/vitest set for this process, so npm and node act as in a fresh shell. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(key) || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue
    env[key] = value
  }
  // One npm cache shared by every run on the machine (the user's, unless the caller set another).
  env.npm_config_cache = process.env.npm_config_cache ?? join(homedir(), '.npm')
  return { ...env, ...extra }
}

/** pnpm from PATH (pnpm scripts and `npx pnpm@…` put it there), else the root manifest's `packageManager` through npx. */
async function pnpm(): Promise<[string, string[]]> {
  try {
    await run('pnpm', ['--version'], { env: cleanEnv() })
    return ['pnpm', []]
  } catch {
    const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      packageManager: string
    }
    return ['npx', ['-y', root.packageManager]]
  }
}

const tarballName = (pkg: PublishedPackage): string =>
  `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.manifest.version}.tgz`

const timings: Record<string, number> = {}
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now()
  try {
    return await work()
  } finally {
    timings[label] = Math.round(performance.now() - start)
  }
}

let work: string
let app: string
const schemas: string[] = []

async function npmInstall(args: string[]): Promise<void> {
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...args], {
    cwd: app,
    env: cleanEnv(),
    maxBuffer: 16 * 1024 * 1024,
  })
}

async function tsc(project: string): Promise<void> {
  const compiler = join(repoRoot, 'node_modules/typescript/bin/tsc')
  const result = await run(process.execPath, [compiler, '-p', project], { cwd: app, env: cleanEnv() }).catch(
    (error: { stdout?: string; stderr?: string }) => error,
  )
  expect(`${result.stdout ?? ''}${result.stderr ?? ''}`.trim(), `tsc -p ${project}`).toBe('')
}

/** Runs the scratch app's batch script with plain node; returns what it printed. */
async function runBatch(env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['run-batch.mjs'], {
    cwd: app,
    env: cleanEnv(env),
    timeout: 60_000,
  })
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
}

function databaseSchema(label: string): Record<string, string> {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: run through the repository vitest config.')
  const schema = `t_packed_${label}_${Math.random().toString(16).slice(2, 10)}`
  schemas.push(schema)
  return { STORE: 'postgres', DATABASE_URL: url, BATCHKIT_SCHEMA: schema }
}

const completed = {
  status: 'completed',
  counts: { total: 5, completed: 5, failed: 0 },
  customIds: ['line-1', 'line-2', 'line-3', 'line-4', 'line-5'],
}

describe('packed packages installed outside the workspace', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'batchkit-packed-'))
    app = join(work, 'app')
    const packs = join(work, 'packs')
    await mkdir(packs)
    await timed('build', () =>
      run(
        process.execPath,
        [join(repoRoot, 'node_modules/turbo/bin/turbo'), 'run', 'build', '--output-logs=errors-only'],
        {
          cwd: repoRoot,
          env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
        },
      ),
    )
    const [command, prefix] = await pnpm()
    await timed('pack', () =>
      Promise.all(
        packages.map((pkg) =>
          run(command, [...prefix, 'pack', '--pack-destination', packs], { cwd: pkg.dir }),
        ),
      ),
    )
    await cp(join(repoRoot, 'tests/fixtures/scratch-app'), app, { recursive: true })
    const dependencies: Record<string, string> = {
      '@hono/node-server': '^1.19.0 || ^2.0.0',
      '@hono/zod-validator': '^0.9.0',
      'drizzle-orm': '^0.45.0',
      hono: '^4.11.2',
      openai: '^6.49.0',
      postgres: '~3.4.0',
      zod: '^4.0.0',
    }
    for (const pkg of packages) dependencies[pkg.name] = `file:${join(packs, tarballName(pkg))}`
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'scratch-host', private: true, type: 'module', dependencies }, null, 2),
    )
    await timed('npm install', () => npmInstall([]))
  }, 420_000)

  afterAll(async () => {
    if (schemas.length > 0 && process.env.DATABASE_URL) {
      const sql = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => undefined })
      for (const schema of schemas) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await sql.end()
    }
    if (work) await rm(work, { recursive: true, force: true })
    console.info(`packed install timings (ms): ${JSON.stringify(timings)}`)
  })

  it('installs manifests without workspace ranges or source conditions, whose exports all exist', async () => {
    for (const pkg of packages) {
      const dir = join(app, 'node_modules', pkg.name)
      const text = await readFile(join(dir, 'package.json'), 'utf8')
      const manifest = JSON.parse(text)
      expect(text, pkg.name).not.toContain('workspace:')
      expect(JSON.stringify(manifest.exports), pkg.name).not.toContain('source')
      expect(manifest).toMatchObject({ type: 'module', sideEffects: false, license: 'MIT' })
      expect(manifest.engines?.node, pkg.name).toBeTruthy()
      expect(manifest.repository?.directory, pkg.name).toBe(`packages/${basename(pkg.dir)}`)
      for (const [subpath, conditions] of Object.entries(
        manifest.exports as Record<string, Record<string, string>>,
      )) {
        expect(Object.keys(conditions), `${pkg.name} ${subpath}`).toEqual(['types', 'import'])
        for (const target of Object.values(conditions)) await stat(join(dir, target))
      }
      const shipped = await readdir(dir, { recursive: true })
      expect(shipped).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']))
      expect(
        shipped.filter((file) => /(^|\/)src\/|\.test\.|__fixtures__/.test(file)),
        pkg.name,
      ).toEqual([])
    }
  })

  it('type-checks a strict nodenext host against the published types, without @types/node', async () => {
    await expect(stat(join(app, 'node_modules/@types/node'))).rejects.toThrow()
    // @batchkit/otel's peer is optional: a host without OpenTelemetry installs nothing of it.
    await expect(stat(join(app, 'node_modules/@opentelemetry/api'))).rejects.toThrow()
    await timed('tsc', () => tsc('tsconfig.json'))
  }, 60_000)

  it('runs a batch to completed with plain node and the openai SDK on the memory store', async () => {
    expect(await timed('run memory', () => runBatch({}))).toMatchObject({ store: 'memory', ...completed })
  }, 60_000)

  it('runs a batch to completed on PostgreSQL with postgres.js 3.4', async () => {
    const result = await timed('run postgres 3', () => runBatch(databaseSchema('pg3')))
    expect(result).toMatchObject({ store: 'postgres', ...completed })
    expect(result.postgresJs).toMatch(/^3\.4\./)
  }, 60_000)

  it('runs a host unit test with vitest and createTestBatchkit: retries take no real time', async () => {
    await timed('npm install vitest', () => npmInstall(['vitest@^4.0.0']))
    const { stdout, stderr } = await timed('vitest', () =>
      run(process.execPath, [join(app, 'node_modules/vitest/vitest.mjs'), 'run', 'host-unit.test.mjs'], {
        cwd: app,
        env: cleanEnv(),
        timeout: 90_000,
      }),
    )
    expect(`${stdout}${stderr}`).toMatch(/1 passed/)
  }, 120_000)

  it('type-checks and runs on PostgreSQL with postgres.js 4', async () => {
    await timed('npm install postgres@4', () => npmInstall(['postgres@^4.0.0', '@types/node@^20.19.0']))
    await timed('tsc postgres', () => tsc('tsconfig.postgres.json'))
    const result = await timed('run postgres 4', () => runBatch(databaseSchema('pg4')))
    expect(result).toMatchObject({ store: 'postgres', ...completed })
    expect(result.postgresJs).toMatch(/^4\./)
  }, 120_000)
})
