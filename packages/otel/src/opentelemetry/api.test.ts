import * as api from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import type { OpenTelemetryApi } from './api.ts'
import { spanKind, spanStatus } from './api.ts'

describe('the structural OpenTelemetry API', () => {
  it('is satisfied by the real @opentelemetry/api module (checked by tsc) and matches its enums', () => {
    const real: OpenTelemetryApi = api
    expect(real.trace.getTracer('x')).toBeDefined()
    expect(spanKind).toEqual({ internal: api.SpanKind.INTERNAL, client: api.SpanKind.CLIENT })
    expect(spanStatus).toEqual({ ok: api.SpanStatusCode.OK, error: api.SpanStatusCode.ERROR })
  })
})
