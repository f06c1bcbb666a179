/** Anything headers can be read from by name: a Web `Headers`, or a stub in tests. */
export interface HeaderReader {
  get(name: string): string | null
}
