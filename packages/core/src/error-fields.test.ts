import { describe, expect, it } from 'vitest'
import { errorFields, loggableFields } from './error-fields.ts'
import { BatchkitError } from './errors.ts'

describe('errorFields', () => {
  it('keeps name, message, code, stack and causes of errors; passes other values through', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    const error = new BatchkitError('service_unavailable', 'The database is unavailable.', { cause })
    const fields = errorFields(error) as Record<string, unknown>
    expect(fields).toMatchObject({
      name: 'BatchkitError',
      message: 'The database is unavailable.',
      code: 'service_unavailable',
      cause: { name: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' },
    })
    expect(String(fields.stack)).toContain('error-fields.test.ts')
    expect(errorFields('plain')).toBe('plain')
    expect(JSON.stringify(loggableFields({ error, nested: [{ error }] }))).toContain('ECONNREFUSED')
    expect(JSON.stringify(loggableFields({ error }))).not.toContain('server_error')
  })
})
