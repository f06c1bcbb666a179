/**
 * Runs one scenario in a fresh process (so scenarios never share a heap, a JIT state or sockets) and
 * prints its rows as JSON on the last stdout line: `scenario.ts <name> <tmpdir>`.
 */
import type { Scenario } from '../lib/context.ts'

const [name, tmp] = process.argv.slice(2)
if (!name || !tmp) throw new Error('usage: scenario.ts <name> <tmpdir>')
const mod = (await import(`../scenarios/${name}.ts`)) as { default: Scenario }
const rows = await mod.default({
  tmp,
  log: (message) => process.stderr.write(`  [${name}] ${message}\n`),
})
process.stdout.write(`${JSON.stringify(rows)}\n`)
process.exit(0)
