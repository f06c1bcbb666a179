/**
 * Regenerates the migrations: `drizzle-kit generate` writes a new SQL migration to `drizzle/` when
 * `src/schema.ts` changed, then this embeds every migration into `src/migrations.generated.ts`.
 *
 *   pnpm --filter @batchkit/store-postgres db:generate [--name add_something]
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type MigrationJournal, renderMigrationsModule } from '../src/migration-source.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
if (!args.includes('--embed-only')) {
  execFileSync('npx', ['drizzle-kit', 'generate', ...args], { cwd: root, stdio: 'inherit' })
  // drizzle-kit's JSON layout differs from the repository's formatter; keep `biome check` green.
  execFileSync('npx', ['biome', 'format', '--write', 'drizzle'], { cwd: root, stdio: 'inherit' })
}
const journal = JSON.parse(readFileSync(join(root, 'drizzle/meta/_journal.json'), 'utf8')) as MigrationJournal
const sources = journal.entries.map(({ tag }) => ({
  tag,
  sql: readFileSync(join(root, 'drizzle', `${tag}.sql`), 'utf8'),
}))
const target = join(root, 'src/migrations.generated.ts')
writeFileSync(target, renderMigrationsModule(journal, sources))
execFileSync('npx', ['biome', 'format', '--write', target], { cwd: root, stdio: 'inherit' })
console.log(`embedded ${sources.length} migration(s) into src/migrations.generated.ts`)
