import { describe, expect, it } from 'vitest'
import { chatLines, driveUntilStatus, jsonl, okExcept, scriptedProvider, textStream } from './fixtures.ts'
import type { ScenarioSetup } from './scenario-setup.ts'

/** Expired files: the runner removes them, record and content, without anyone asking for them. */
export function describeExpiryScenarios(setup: ScenarioSetup): void {
  describe('file expiry', () => {
    it('the runner removes expired input, output and error files that nobody reads again', async () => {
      const { engine, scope, store, clock } = await setup([scriptedProvider('p', okExcept('req-1'))])
      const input = await engine.files.upload(scope, textStream(jsonl(chatLines(3))), {
        filename: 'input.jsonl',
        purpose: 'batch',
        expiresAfter: { anchor: 'created_at', seconds: 7200 },
      })
      const created = await engine.batches.create(scope, {
        input_file_id: input.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        output_expires_after: { anchor: 'created_at', seconds: 3600 },
      })
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      const results = [done.output_file_id!, done.error_file_id!]
      const kept = await engine.files.upload(scope, textStream(jsonl(chatLines(1))), {
        filename: 'kept.jsonl',
        purpose: 'batch',
      })

      // Past the results' expiry: a tick removes them, though nobody asked for them since.
      clock.advance(3_601_000)
      for (const id of results) expect(await store.files.read(scope, id)).not.toBeNull()
      await engine.runner.tick({ budgetMs: 50 })
      for (const id of results) {
        expect(await store.files.read(scope, id)).toBeNull()
        expect(await store.files.get(scope, id, 0)).toBeNull()
      }
      expect(await store.files.read(scope, input.id)).not.toBeNull()

      // Past the input's expiry, and a minute after the last sweep: the input goes too.
      clock.advance(3_600_000)
      await engine.runner.tick({ budgetMs: 50 })
      expect(await store.files.read(scope, input.id)).toBeNull()
      await expect(engine.files.get(scope, input.id)).rejects.toMatchObject({ code: 'not_found' })
      // A batch input without `expires_after` is kept for 30 days (OpenAI's default).
      expect((await engine.files.get(scope, kept.id)).expires_at).toBe(kept.created_at + 30 * 86_400)
      expect(await store.files.read(scope, kept.id)).not.toBeNull()
      expect((await engine.batches.get(scope, created.id)).status).toBe('completed')
    })
  })
}
