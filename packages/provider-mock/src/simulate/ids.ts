import { hash32 } from '@batchkit/core/provider'

/**
 * A deterministic OpenAI-looking id: `prefix` plus 24 hex chars derived from `key`.
 *
 * @example
 * mockId('chatcmpl-', 'batch_req_1') // 'chatcmpl-…' (the same on every run)
 */
export function mockId(prefix: string, key: string): string {
  let hex = ''
  for (let i = 1; i <= 3; i++) hex += hash32(key, i).toString(16).padStart(8, '0')
  return prefix + hex
}
