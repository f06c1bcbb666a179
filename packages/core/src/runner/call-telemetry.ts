import type { ExecuteResult } from '../contracts/provider.ts'
import type { RequestOutcome } from '../contracts/records.ts'
import type { ProviderCallEnd } from '../telemetry/types.ts'

/**
 * What the telemetry hears when a provider call ends: the provider's answer (status, or the error code
 * when there was none) and the runner's decision for the line (its outcome, when a retry may run).
 *
 * @example
 * observation?.end(providerCallEnd(result, outcome))
 */
export function providerCallEnd(result: ExecuteResult, outcome: RequestOutcome): ProviderCallEnd {
  const end: ProviderCallEnd = {
    outcome: outcome.kind,
    rateLimited: result.type === 'response' && result.status === 429,
    unsent: outcome.kind === 'retry' && outcome.unsent === true,
  }
  if (result.type === 'response') end.status = result.status
  else end.errorCode = result.code
  if (outcome.kind === 'retry') end.retryAt = outcome.notBefore
  else if (outcome.usage) end.usage = outcome.usage
  return end
}
