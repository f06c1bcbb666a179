import { BatchkitError } from '@batchkit/core'
import { describe, expect, it } from 'vitest'
import {
  chatLines,
  driveUntilStatus,
  jsonl,
  okAnswer,
  okExcept,
  scriptedProvider,
  submitChatBatch,
  textStream,
  uploadLines,
} from './fixtures.ts'
import type { ScenarioSetup } from './scenario-setup.ts'

/**
 * File retention: `output_expires_after`, expired files removed by the runner (record and content, without
 * anyone asking for them), and a deleted input kept for its running batch until it ends.
 */
export function describeRetentionScenarios(setup: ScenarioSetup): void {
  describe('file retention', () => {
    it('honours output_expires_after: output and error files expire, are not listed, and lose their content', async () => {
      const { engine, scope, store, clock } = await setup([scriptedProvider('p', okExcept('req-2'))])
      const input = await uploadLines(engine, scope, chatLines(3))
      const created = await engine.batches.create(scope, {
        input_file_id: input.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        output_expires_after: { anchor: 'created_at', seconds: 3600 },
      })
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 })
      const ids = [done.output_file_id!, done.error_file_id!]
      for (const id of ids) {
        const file = await engine.files.get(scope, id)
        expect(file.expires_at).toBe(file.created_at + 3600)
      }
      clock.advance(3_599_000)
      for (const id of ids) await expect(engine.files.get(scope, id)).resolves.toMatchObject({ id })
      clock.advance(2_000)
      for (const id of ids) {
        await expect(engine.files.get(scope, id)).rejects.toMatchObject({ code: 'not_found' })
        await expect(engine.files.content(scope, id)).rejects.toMatchObject({ code: 'not_found' })
        expect(await store.files.read(scope, id)).toBeNull()
      }
      const listed = await engine.files.list(scope, { purpose: 'batch_output' })
      expect(listed.data).toEqual([])
      // The batch still names its files, as OpenAI's does after they are gone.
      expect((await engine.batches.get(scope, created.id)).output_file_id).toBe(ids[0])
    })

    it('rejects an output_expires_after out of range with its param', async () => {
      const { engine, scope } = await setup([scriptedProvider('p', okAnswer)])
      const input = await uploadLines(engine, scope, chatLines(1))
      for (const [value, param] of [
        [{ anchor: 'created_at', seconds: 3599 }, 'output_expires_after.seconds'],
        [{ anchor: 'created_at', seconds: 2_592_001 }, 'output_expires_after.seconds'],
        [{ anchor: 'expires_at', seconds: 3600 }, 'output_expires_after.anchor'],
        ['3600', 'output_expires_after'],
      ] as const) {
        const create = engine.batches.create(scope, {
          input_file_id: input.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
          output_expires_after: value,
        })
        await expect(create).rejects.toBeInstanceOf(BatchkitError)
        await expect(create).rejects.toMatchObject({ param })
      }
    })

    it('keeps a deleted input file readable for its running batch, then purges it', async () => {
      const provider = scriptedProvider('p', okAnswer)
      const { engine, scope, store } = await setup([provider])
      const { input, created } = await submitChatBatch(engine, scope, chatLines(3))
      await driveUntilStatus(engine, scope, created.id, ['in_progress'])
      await expect(engine.files.delete(scope, input.id)).resolves.toEqual({
        id: input.id,
        object: 'file',
        deleted: true,
      })
      await expect(engine.files.get(scope, input.id)).rejects.toMatchObject({ code: 'not_found' })
      const done = await driveUntilStatus(engine, scope, created.id, ['completed'])
      expect(done.request_counts.completed).toBe(3)
      expect(await store.files.read(scope, input.id)).toBeNull()
    })

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
