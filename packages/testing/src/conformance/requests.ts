import { describe } from 'vitest'
import type { HarnessRef } from './harness.ts'
import { describeRequestClaimConformance } from './request-claims.ts'
import { describeRequestOutcomeConformance } from './request-outcomes.ts'
import { describeRequestRecordingConformance } from './request-recording.ts'

/** Conformance of `store.requests`: claims and leases, recording outcomes, and reading and closing lines. */
export function describeRequestConformance(harness: HarnessRef): void {
  describe('requests', () => {
    describeRequestClaimConformance(harness)
    describeRequestRecordingConformance(harness)
    describeRequestOutcomeConformance(harness)
  })
}
