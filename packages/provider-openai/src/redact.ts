/**
 * `text` with every occurrence of each secret replaced by `[redacted]`. Secrets shorter than four
 * characters are ignored (they would mangle ordinary words).
 *
 * @example
 * redact('bad header "Bearer sk-123"', ['sk-123']) // 'bad header "Bearer [redacted]"'
 */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]')
  }
  return out
}
