import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** The repository root. */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** A published package of the workspace: its directory and manifest. */
export interface PublishedPackage {
  dir: string
  name: string
  manifest: Record<string, unknown> & {
    name: string
    version: string
    exports: Record<string, Record<string, string>>
  }
}

/**
 * The packages under `packages/` that are published (not `private`), in directory order.
 *
 * @example
 * publishedPackages().map((p) => p.name) // ['@batchkit/core', …]
 */
export function publishedPackages(): PublishedPackage[] {
  const root = join(repoRoot, 'packages')
  return readdirSync(root)
    .sort()
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))
      return { dir: join(root, dir), name: manifest.name as string, manifest }
    })
    .filter((p) => p.manifest.private !== true)
}

/** The names an entry point exports, split into runtime values and types. */
export interface ExportList {
  values: string[]
  types: string[]
}

/**
 * What every entry point (`exports` subpath) of every published package exports, read from the
 * TypeScript sources with the compiler (so type-only exports count too), keyed by import specifier.
 *
 * @example
 * exportLists()['@batchkit/core/node'] // { values: ['startRunnerLoop', 'stopOnSignals'], types: [...] }
 */
export function exportLists(): Record<string, ExportList> {
  const entries = new Map<string, string>()
  for (const pkg of publishedPackages()) {
    for (const [subpath, conditions] of Object.entries(pkg.manifest.exports)) {
      const source = conditions.source
      if (source === undefined) throw new Error(`${pkg.name} export ${subpath} has no source condition`)
      entries.set(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, join(pkg.dir, source))
    }
  }
  const program = ts.createProgram([...entries.values()], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ['source'],
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  })
  const checker = program.getTypeChecker()
  const lists: Record<string, ExportList> = {}
  for (const [specifier, file] of entries) {
    const source = program.getSourceFile(file)
    const module = source && checker.getSymbolAtLocation(source)
    if (!module) throw new Error(`${specifier}: ${file} is not a module`)
    const list: ExportList = { values: [], types: [] }
    for (const symbol of checker.getExportsOfModule(module)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      ;(target.flags & ts.SymbolFlags.Value ? list.values : list.types).push(symbol.name)
    }
    list.values.sort()
    list.types.sort()
    lists[specifier] = list
  }
  return lists
}
