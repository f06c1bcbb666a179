import { describe, expect, it } from 'vitest'
import { escapeHelp, escapeLabelValue, formatValue, labelSet, prometheusContentType } from './text.ts'

describe('Prometheus text format', () => {
  it('escapes label values: backslash, double quote, line feed (nothing else)', () => {
    expect(escapeLabelValue('a\\b"c"\nd\te')).toBe('a\\\\b\\"c\\"\\nd\te')
  })

  it('escapes HELP text: backslash and line feed, not quotes', () => {
    expect(escapeHelp('say "x"\\y\nz')).toBe('say "x"\\\\y\\nz')
  })

  it('formats values: integers, floats, infinities, NaN', () => {
    expect([0, 42, 0.25, 1e-7, 12345678901234, Infinity, -Infinity, Number.NaN].map(formatValue)).toEqual([
      '0',
      '42',
      '0.25',
      '1e-7',
      '12345678901234',
      '+Inf',
      '-Inf',
      'NaN',
    ])
  })

  it('renders label sets in key order, empty without keys', () => {
    expect(labelSet([], [])).toBe('')
    expect(labelSet(['provider', 'le'], ['my "p"', '+Inf'])).toBe('{provider="my \\"p\\"",le="+Inf"}')
  })

  it('declares version 0.0.4', () => {
    expect(prometheusContentType).toBe('text/plain; version=0.0.4; charset=utf-8')
  })
})
