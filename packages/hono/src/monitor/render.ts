import type { BatchObject, ListPage } from '@batchkit/core'
import { html } from 'hono/html'

/** Statuses after which nothing changes. */
const terminalStatuses: ReadonlySet<string> = new Set(['completed', 'failed', 'expired', 'cancelled'])

/** What rendering the monitor needs besides the batches. */
export interface MonitorView {
  title: string
  /** Where the monitor is mounted, as the browser sees it (no trailing slash). */
  base: string
  /** Where the Files API is mounted, for download links (no trailing slash). */
  apiBase: string
  refreshMs: number
  /** The list cursor of this page, when it is not the first. */
  after: string | undefined
  /** Input file names by file id (null: gone). */
  names: ReadonlyMap<string, string | null>
}

/** What Hono's `html` template makes: escaped HTML (a promise when a part is one). */
type Html = ReturnType<typeof html>

/** Most validation errors shown per batch. */
const errorsShown = 5

const utc = (seconds: number | null): string =>
  seconds === null ? '' : `${new Date(seconds * 1_000).toISOString().slice(0, 19).replace('T', ' ')} UTC`

/** A batch's progress: lines done of total, and the percentage shown. */
export function progressOf(batch: BatchObject): { done: number; total: number; percent: number } {
  const { total, completed, failed } = batch.request_counts
  const done = completed + failed
  return { done, total, percent: total > 0 ? Math.floor((done / total) * 100) : 0 }
}

function downloadLink(view: MonitorView, batch: BatchObject, fileId: string | null, label: string): Html {
  if (fileId === null) return html``
  const href = `${view.apiBase}/files/${encodeURIComponent(fileId)}/content`
  return html`<a href="${href}" download="${batch.id}_${label}.jsonl" data-file="${label}">${label} file</a>`
}

function metaLine(view: MonitorView, batch: BatchObject): Html {
  const name = view.names.get(batch.input_file_id)
  const metadata = Object.entries(batch.metadata ?? {}).map(
    ([key, value]) => html`<span class="metadata">${key}=${value}</span>`,
  )
  return html`<div class="meta">
    <span>${batch.endpoint}</span><span>${batch.batchkit.provider} (${batch.batchkit.mode})</span>
    <span class="input" title="${batch.input_file_id}">${name ?? batch.input_file_id}</span>${metadata}
  </div>`
}

/**
 * One batch as a table row: id, endpoint, provider, input file name and metadata; status; a progress bar
 * (indeterminate until the batch knows its line count); counts; times; download links of its output and
 * error files; its validation errors. Every value is escaped by Hono's `html` template.
 */
export function batchRow(view: MonitorView, batch: BatchObject): Html {
  const { done, total, percent } = progressOf(batch)
  const { completed, failed } = batch.request_counts
  const errors = batch.errors?.data ?? []
  const pct = html`<span class="pct">${total > 0 ? `${percent}%` : '–'}</span>`
  const bar =
    total > 0
      ? html`<progress value="${done}" max="${total}" aria-label="${done} of ${total} lines">${percent}%</progress>${pct}`
      : terminalStatuses.has(batch.status)
        ? html`<progress value="0" max="1" aria-label="no lines"></progress>${pct}`
        : html`<progress aria-label="waiting for the line count"></progress>${pct}`
  return html`<tr data-batch="${batch.id}" data-status="${batch.status}">
  <td><code>${batch.id}</code>${metaLine(view, batch)}${
    errors.length > 0
      ? html`<ul class="errors">${errors
          .slice(0, errorsShown)
          .map(
            (error) =>
              html`<li>${error.line === null ? '' : `line ${error.line}: `}${error.message} (${error.code})</li>`,
          )}${errors.length > errorsShown ? html`<li>… ${errors.length - errorsShown} more</li>` : ''}</ul>`
      : ''
  }</td>
  <td><span class="status status-${batch.status}">${batch.status}</span></td>
  <td class="progress">${bar}</td>
  <td class="counts"><span class="completed">${completed} completed</span><br /><span class="failed">${failed} failed</span><br /><span class="total">of ${total}</span></td>
  <td><time datetime="${new Date(batch.created_at * 1_000).toISOString()}">${utc(batch.created_at)}</time></td>
  <td class="files">${downloadLink(view, batch, batch.output_file_id, 'output')}${downloadLink(view, batch, batch.error_file_id, 'errors')}</td>
</tr>`
}

/** The rows of a page (what the page's script polls). */
export function batchRows(view: MonitorView, page: ListPage<BatchObject>): Html {
  if (page.data.length === 0) return html`<tr><td class="empty" colspan="6">No batches yet.</td></tr>`
  return html`${page.data.map((batch) => batchRow(view, batch))}`
}

/** The whole page: the table of batches, the link to older ones, the script that keeps it live. */
export function monitorPage(view: MonitorView, page: ListPage<BatchObject>): Html {
  const query = view.after === undefined ? '' : `?after=${encodeURIComponent(view.after)}`
  const last = page.data.at(-1)
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="referrer" content="no-referrer" />
<title>${view.title}</title>
<link rel="stylesheet" href="${view.base}/monitor.css" />
<script src="${view.base}/monitor.js" defer></script>
</head>
<body>
<main data-rows-url="${view.base}/rows${query}" data-refresh-ms="${view.refreshMs}">
<header><h1>${view.title}</h1><span id="live" aria-live="polite">Live</span></header>
<table>
<thead><tr><th>Batch</th><th>Status</th><th>Progress</th><th>Lines</th><th>Created</th><th>Files</th></tr></thead>
<tbody id="batches">${batchRows(view, page)}</tbody>
</table>
<nav>${view.after === undefined ? '' : html`<a href="${view.base || '/'}">Newest</a> `}${
    page.has_more && last
      ? html`<a href="${view.base}?after=${encodeURIComponent(last.id)}" rel="next">Older →</a>`
      : ''
  }</nav>
</main>
</body>
</html>`
}
