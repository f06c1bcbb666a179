import type { FileRecord, FileStore } from '@batchkit/core/store'
import type { BlobStore } from './blob-store.ts'
import { copyFile } from './copy.ts'

/** A stored file with its bookkeeping. */
interface FileEntry {
  record: FileRecord
  /** Position in the owner's list, which is in insertion order (many files share a millisecond). */
  readonly ownerPosition: number
  deleted: boolean
  /** Removed by an expiry sweep: gone from `byId`; its place in the owner's list stays (positions). */
  removed: boolean
}

/**
 * The file half of a memory store: metadata in maps, content in `blobs`. `activeInputs` names the
 * input files of batches that have not ended, which an expiry sweep keeps.
 *
 * @example
 * const files = memoryFiles(memoryBlobs(), () => table.activeInputs())
 */
export function memoryFiles(blobs: BlobStore, activeInputs: () => ReadonlySet<string>): FileStore {
  const byId = new Map<string, FileEntry>()
  const byOwner = new Map<string, FileEntry[]>()

  const owned = (ownerId: string, id: string): FileEntry | undefined => {
    const entry = byId.get(id)
    return entry !== undefined && entry.record.ownerId === ownerId ? entry : undefined
  }
  const isVisible = (entry: FileEntry, now: number): boolean =>
    !entry.deleted && !entry.removed && (entry.record.expiresAt === null || entry.record.expiresAt > now)

  return {
    async writeContent(id, content, options) {
      try {
        return await blobs.write(id, content, options?.maxBytes)
      } catch (error) {
        await blobs.delete(id).catch(() => undefined)
        throw error
      }
    },

    async insert(record) {
      if (byId.has(record.id)) return
      let list = byOwner.get(record.ownerId)
      if (list === undefined) {
        list = []
        byOwner.set(record.ownerId, list)
      }
      const entry: FileEntry = {
        record: copyFile(record),
        ownerPosition: list.length,
        deleted: false,
        removed: false,
      }
      list.push(entry)
      byId.set(record.id, entry)
    },

    async get(scope, id, now) {
      const entry = owned(scope.ownerId, id)
      return entry !== undefined && isVisible(entry, now) ? copyFile(entry.record) : null
    },

    async list(scope, { purpose, limit, order, after, now }) {
      const list = byOwner.get(scope.ownerId) ?? []
      const step = order === 'asc' ? 1 : -1
      let i = order === 'asc' ? 0 : list.length - 1
      if (after !== undefined) {
        const cursor = owned(scope.ownerId, after)
        if (cursor === undefined) return { data: [], hasMore: false }
        i = cursor.ownerPosition + step
      }
      const data: FileRecord[] = []
      for (; i >= 0 && i < list.length; i += step) {
        const entry = list[i]!
        if (!isVisible(entry, now) || (purpose !== undefined && entry.record.purpose !== purpose)) continue
        if (data.length === limit) return { data, hasMore: true }
        data.push(copyFile(entry.record))
      }
      return { data, hasMore: false }
    },

    async delete(scope, id) {
      const entry = owned(scope.ownerId, id)
      if (entry === undefined || entry.deleted) return false
      entry.deleted = true
      return true
    },

    async read(scope, id, range) {
      return owned(scope.ownerId, id) === undefined ? null : blobs.read(id, range)
    },

    async purgeContent(id) {
      await blobs.delete(id)
    },

    async sweepExpired(now, limit) {
      const active = activeInputs()
      const due = [...byId.values()]
        .filter(
          ({ record }) => record.expiresAt !== null && record.expiresAt <= now && !active.has(record.id),
        )
        .sort((a, b) => a.record.expiresAt! - b.record.expiresAt!)
        .slice(0, limit)
      for (const entry of due) {
        entry.removed = true
        byId.delete(entry.record.id)
        await blobs.delete(entry.record.id)
      }
      return due.map((entry) => entry.record.id)
    },
  }
}
