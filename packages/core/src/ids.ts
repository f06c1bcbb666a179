/** Random identifiers in OpenAI's formats. Uses WebCrypto, so it runs on every runtime. */

const hex = (bytes: Uint8Array): string => {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/** `n` random bytes as lowercase hex. */
export function randomHex(n: number): string {
  return hex(crypto.getRandomValues(new Uint8Array(n)))
}

/** A new file id, e.g. `file-5f0c…`. */
export const newFileId = (): string => `file-${randomHex(12)}`
/** A new batch id, e.g. `batch_5f0c…`. */
export const newBatchId = (): string => `batch_${randomHex(12)}`
/** A new per-line id for output and error files, e.g. `batch_req_5f0c…`. */
export const newRequestLineId = (): string => `batch_req_${randomHex(12)}`
/** A new request id for the `x-request-id` header, e.g. `req_5f0c…`. */
export const newRequestId = (): string => `req_${randomHex(16)}`
