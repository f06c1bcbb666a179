import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './export-lists.ts'

/** Every code block of docs/runtimes.md marked `<!-- file: path -->` is that file, verbatim. */
describe('docs/runtimes.md', () => {
  const doc = readFileSync(join(repoRoot, 'docs/runtimes.md'), 'utf8')
  const blocks = [...doc.matchAll(/<!-- file: (\S+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)]

  it('quotes the examples it names', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(7)
  })

  for (const [, path, code] of blocks) {
    it(`shows ${path} as it is`, () => {
      expect(code).toBe(readFileSync(join(repoRoot, path!), 'utf8').replace(/\n+$/, ''))
    })
  }
})
