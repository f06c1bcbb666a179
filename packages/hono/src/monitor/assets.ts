/**
 * The monitor page's script and stylesheet, served as files of their own so that the page needs no
 * inline script or style and can send a strict Content-Security-Policy (`script-src 'self'`).
 */

/**
 * Polls the rows of the page (server-rendered, escaped HTML) every `data-refresh-ms` while the tab is
 * visible and swaps them in when they changed. Marks the page `data-updated` (an ISO time) after each
 * successful poll and `data-stale` (the HTTP status, or `network`) while polls fail.
 */
export const monitorScript = `'use strict';
(() => {
  const main = document.querySelector('main[data-rows-url]');
  const rows = document.getElementById('batches');
  const live = document.getElementById('live');
  if (!main || !rows) return;
  const url = main.dataset.rowsUrl;
  const every = Math.max(250, Number(main.dataset.refreshMs) || 2000);
  let last = null;
  let busy = false;
  const refresh = async () => {
    if (busy || document.visibilityState === 'hidden') return;
    busy = true;
    try {
      const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'text/html' } });
      if (!response.ok) {
        main.dataset.stale = String(response.status);
        if (live) live.textContent = 'Not updating (HTTP ' + response.status + ')';
        return;
      }
      const html = await response.text();
      if (html !== last) {
        last = html;
        const template = document.createElement('template');
        template.innerHTML = html;
        rows.replaceChildren(template.content);
      }
      delete main.dataset.stale;
      const now = new Date();
      main.dataset.updated = now.toISOString();
      if (live) live.textContent = 'Live · updated ' + now.toLocaleTimeString();
    } catch {
      main.dataset.stale = 'network';
      if (live) live.textContent = 'Not updating (network)';
    } finally {
      busy = false;
    }
  };
  setInterval(refresh, every);
  document.addEventListener('visibilitychange', refresh);
})();
`

/** The page's styles: a plain table, status badges, progress bars. */
export const monitorStyles = `:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --ok: #1a7f37; --bad: #cf222e; --run: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--fg); background: #f6f8fa; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
header { display: flex; align-items: baseline; gap: 16px; }
h1 { font-size: 22px; margin: 0 0 16px; }
#live { color: var(--muted); font-size: 12px; }
main[data-stale] #live { color: var(--bad); }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
th, td { text-align: left; padding: 10px 12px; border-top: 1px solid var(--line); vertical-align: top; }
thead th { border-top: 0; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.meta { color: var(--muted); font-size: 12px; margin-top: 4px; word-break: break-word; }
.meta span + span::before { content: ' · '; }
.status { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; background: #eaeef2; }
.status-in_progress, .status-validating, .status-finalizing { background: #ddf4ff; color: var(--run); }
.status-completed { background: #dafbe1; color: var(--ok); }
.status-failed, .status-expired { background: #ffebe9; color: var(--bad); }
.status-cancelling, .status-cancelled { background: #fff8c5; color: #9a6700; }
td.progress { white-space: nowrap; }
progress { width: 140px; height: 12px; vertical-align: middle; accent-color: var(--run); }
.pct { margin-left: 8px; font-variant-numeric: tabular-nums; }
.counts { font-variant-numeric: tabular-nums; white-space: nowrap; }
.counts .completed { color: var(--ok); }
.counts .failed { color: var(--bad); }
.errors { color: var(--bad); font-size: 12px; margin: 6px 0 0; padding-left: 18px; }
.files a { display: block; }
.empty { color: var(--muted); text-align: center; padding: 32px; }
nav { margin-top: 12px; }
`
