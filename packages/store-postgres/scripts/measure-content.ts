/**
 * Where the time of a large upload goes in the Postgres store, one part at a time, in one process:
 *
 *   DATABASE_URL=postgres://… node --conditions=source --import tsx scripts/measure-content.ts [file.jsonl | MB] [reps]
 *
 * 1. `files.writeContent` of a JSONL file (default: 200 MB of 4 KB chat lines written like `pnpm bench`'s
 *    ingest file), through COPY (default) and through INSERT (`copy: false`), with the WAL written and
 *    the database backends' CPU time;
 * 2. reading it back whole (`files.read`), through COPY and through SELECT;
 * 3. `requests.insert` of one row per line, 1,000 rows per call as the validate step does.
 *
 * Runs alternate between the variants, so load from other processes hits each about equally.
 */
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { postgresStore } from '../src/index.ts'
import { createTestSchema } from '../src/testing/index.ts'

const source = process.argv[2] ?? '200'
const reps = Number(process.argv[3] ?? 2)
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test'

/** Writes `megabytes` of 4 KB chat lines to `path`, with the filler text of the bench's ingest file. */
async function writeJsonl(path: string, megabytes: number): Promise<void> {
  const words = ['batch', 'token', 'upstream', 'latency', 'throughput', 'runner', 'lease', 'store', 'queue']
  words.push('model', 'request', 'response', 'stream', 'buffer', 'record', 'claim', 'worker', 'ceiling')
  words.push('ratio', 'memory')
  const out = createWriteStream(path)
  let written = 0
  for (let i = 1; written < megabytes * 1e6; i++) {
    let text = `Line ${i}:`
    for (let k = i; text.length < 3_840; ) {
      k = (k * 1_103_515_245 + 12_345) % 2_147_483_648
      text += ` ${words[k % words.length]}`
    }
    const line = `${JSON.stringify({ custom_id: `request-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_tokens: 64 } })}\n`
    written += line.length
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve) => out.end(() => resolve()))
}

const tmp = await mkdtemp(join(tmpdir(), 'measure-content-'))
const path = /^\d+$/.test(source) ? join(tmp, 'in.jsonl') : source
if (path !== source) await writeJsonl(path, Number(source))
const bytes = statSync(path).size
const lines = readFileSync(path).reduce((n, byte) => (byte === 10 ? n + 1 : n), 0)
const fileStream = () =>
  Readable.toWeb(createReadStream(path, { highWaterMark: 64 * 1024 })) as ReadableStream<Uint8Array>

const db = await createTestSchema('measure_content')
const scope = { ownerId: 'measure' }
const backendCpuMs = async (sql: ReturnType<typeof postgresStore>['sql']): Promise<number> => {
  let ticks = 0
  for (const { pid } of await sql.unsafe(
    `select pid from pg_stat_activity where application_name = 'measure-content'`,
  )) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // Not on this host (a remote server): no backend CPU figures.
    }
  }
  return ticks * 10
}
const walBytes = async (sql: ReturnType<typeof postgresStore>['sql'], from?: string) => {
  const [row] = await sql.unsafe(`select pg_current_wal_lsn()::text as lsn`)
  if (from === undefined) return { lsn: row!.lsn as string, mb: 0 }
  const [diff] = await sql.unsafe(`select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 as d`, [
    row!.lsn,
    from,
  ])
  return { lsn: row!.lsn as string, mb: (diff!.d as number) / 1e6 }
}

try {
  const [compression] = await db.sql.unsafe(
    `select coalesce(nullif(attcompression::text, ''), '(default: ' || current_setting('default_toast_compression') || ')') as c, attstorage::text as s
     from pg_attribute where attrelid = '"${db.schema}".blob_chunks'::regclass and attname = 'data'`,
  )
  console.log(
    `blob_chunks.data: compression ${compression!.c}, storage ${compression!.s}; ${(bytes / 1e6).toFixed(0)} MB, ${lines} lines`,
  )
  for (let rep = 0; rep < reps; rep++) {
    for (const copy of [true, false]) {
      const label = copy ? 'COPY  ' : 'INSERT'
      const store = postgresStore({
        url: process.env.DATABASE_URL,
        schema: db.schema,
        copy,
        connection: { max: 4, connection: { application_name: 'measure-content' } },
      })
      const fileId = `file-${rep}-${copy}`
      await store.sql`select 1`
      const cpu0 = await backendCpuMs(store.sql)
      const wal0 = await walBytes(store.sql)
      let started = performance.now()
      const stored = await store.files.writeContent(fileId, fileStream())
      const writeMs = performance.now() - started
      const wal = await walBytes(store.sql, wal0.lsn)
      const cpu1 = await backendCpuMs(store.sql)
      await store.files.insert({
        id: fileId,
        ownerId: scope.ownerId,
        filename: 'in.jsonl',
        purpose: 'batch',
        bytes,
        createdAt: Date.now(),
        expiresAt: null,
      })
      started = performance.now()
      let read = 0
      for await (const piece of (await store.files.read(
        scope,
        fileId,
      ))! as unknown as AsyncIterable<Uint8Array>) {
        read += piece.byteLength
      }
      const readMs = performance.now() - started
      const cpu2 = await backendCpuMs(store.sql)
      console.log(
        `${label} write ${writeMs.toFixed(0)} ms (${((bytes / 1e6 / writeMs) * 1000).toFixed(0)} MB/s, WAL ${wal.mb.toFixed(0)} MB, backend CPU ${cpu1 - cpu0} ms); read ${readMs.toFixed(0)} ms (${read === bytes && stored === bytes ? 'ok' : `${stored}/${read} of ${bytes} bytes!`}, backend CPU ${cpu2 - cpu1} ms)`,
      )
      await store.files.purgeContent(fileId)
      await store.close()
    }
    const store = db.store()
    const rows = lines
    const started = performance.now()
    for (let from = 1; from <= rows; from += 1_000) {
      const items = []
      for (let index = from; index < Math.min(from + 1_000, rows + 1); index++) {
        items.push({
          index,
          id: `batch_req_0123456789abcdef01234567${index}`,
          customId: `request-${index}`,
          offset: (index - 1) * 4_000,
          length: 3_999,
        })
      }
      await store.requests.insert(`batch_measure_${rep}`, items)
    }
    console.log(
      `requests.insert: ${rows} rows in ${Math.ceil(rows / 1_000)} calls: ${(performance.now() - started).toFixed(0)} ms`,
    )
  }
} finally {
  await db.drop()
  await rm(tmp, { recursive: true, force: true })
}
