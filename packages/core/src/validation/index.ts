/** Validation of batch input files and of `POST /batches` bodies. */
export { type CreateBatchParams, parseCreateBatchParams, parseMetadata } from './create-params.ts'
export { endpointApiNames } from './endpoint-body.ts'
export { parseExpiresAfter } from './expires-after.ts'
export { type IngestOptions, type IngestResult, jsonlErrorToBatchError, validateInput } from './ingest.ts'
export { checkRequestLine, type LineCheck } from './line.ts'
