/**
 * PostgreSQL's binary `COPY` format, for the rows batchkit streams: file content chunks in
 * (`blob_id text, start_offset bigint, data bytea`) and one `bytea` column out. Binary COPY carries
 * bytes as they are, where a `bytea` query parameter or result travels as hex text (twice the bytes,
 * plus encoding on one side and decoding on the other).
 *
 * Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 */

/** `PGCOPY\n\377\r\n\0`, then the flags field and the header extension length (both 0). */
export const copyHeader: Uint8Array = (() => {
  const header = new Uint8Array(19)
  header.set([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00])
  return header
})()

/** The file trailer: a tuple field count of -1. */
export const copyTrailer: Uint8Array = new Uint8Array([0xff, 0xff])

const encoder = new TextEncoder()

/**
 * The bytes before a chunk row's `data` in a binary COPY stream: field count 3, the blob id
 * (`text`: its UTF-8 bytes), the offset (`bigint`: 8 bytes big-endian), then the length of `data`.
 * The data itself follows unchanged.
 *
 * @example
 * stream.write(chunkRowHead(blobIdBytes('blob-1'), 0, data.byteLength))
 * stream.write(data)
 */
export function chunkRowHead(blobId: Uint8Array, offset: number, dataLength: number): Uint8Array {
  const head = new Uint8Array(2 + 4 + blobId.byteLength + 4 + 8 + 4)
  const view = new DataView(head.buffer)
  let at = 0
  view.setInt16(at, 3)
  at += 2
  view.setInt32(at, blobId.byteLength)
  at += 4
  head.set(blobId, at)
  at += blobId.byteLength
  view.setInt32(at, 8)
  at += 4
  view.setBigInt64(at, BigInt(offset))
  at += 8
  view.setInt32(at, dataLength)
  return head
}

/** The UTF-8 bytes of a blob id, as {@link chunkRowHead} takes them. */
export function blobIdBytes(blobId: string): Uint8Array {
  return encoder.encode(blobId)
}

/**
 * The values of a binary COPY stream of one-column rows (a whole stream: header, tuples, trailer),
 * as views into `bytes`. A NULL value is returned as an empty array.
 *
 * @example
 * const values = readSingleColumn(Buffer.concat(parts)) // [Uint8Array, …]
 */
export function readSingleColumn(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const fail = (why: string): never => {
    throw new Error(`Unexpected binary COPY data from the server: ${why}.`)
  }
  if (bytes.byteLength < copyHeader.byteLength) fail('no header')
  for (let i = 0; i < 11; i++) if (bytes[i] !== copyHeader[i]) fail('bad signature')
  let at = 15 + 4 + view.getInt32(15)
  const values: Uint8Array[] = []
  for (;;) {
    if (at + 2 > bytes.byteLength) fail('no trailer')
    const fields = view.getInt16(at)
    at += 2
    if (fields === -1) return values
    if (fields !== 1) fail(`${fields} columns where one was expected`)
    const length = view.getInt32(at)
    at += 4
    if (length === -1) {
      values.push(new Uint8Array(0))
      continue
    }
    if (at + length > bytes.byteLength) fail('truncated value')
    values.push(new Uint8Array(bytes.buffer, bytes.byteOffset + at, length))
    at += length
  }
}
