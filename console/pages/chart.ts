import { html, type Html } from '../html.js';

/**
 * A small bar chart as inline SVG, drawn on the server: no script, so the
 * CSP stays strict, and a screen reader gets the numbers from the label and
 * the table-free `<title>` of each bar.
 */
export interface Bucket {
  /** Start of the bucket, epoch ms. */
  start: number;
  total: number;
  /** The part of `total` that failed (AE, AR, dead): drawn in the error colour. */
  failed: number;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function rateChart(label: string, data: readonly Bucket[]): Html {
  const width = 240;
  const height = 48;
  const max = Math.max(1, ...data.map((bucket) => bucket.total));
  const step = width / Math.max(1, data.length);
  const total = data.reduce((sum, bucket) => sum + bucket.total, 0);
  const peak = Math.max(0, ...data.map((bucket) => bucket.total));
  const bar = (bucket: Bucket, index: number): Html => {
    const h = Math.round((bucket.total / max) * height);
    const f = Math.round((bucket.failed / max) * height);
    const x = (index * step).toFixed(1);
    const w = Math.max(1, step - 1).toFixed(1);
    return html`<g><title>${clock(bucket.start)}Z: ${bucket.total} received, ${bucket.failed} failed</title><rect class="bar" x="${x}" y="${height - h}" width="${w}" height="${h}"></rect>${f > 0 ? html`<rect class="bar-failed" x="${x}" y="${height - f}" width="${w}" height="${f}"></rect>` : ''}</g>`;
  };
  return html`<figure class="chart"><svg role="img" aria-label="${label}: ${total} received, at most ${peak} per bar" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${data.map(bar)}</svg><figcaption>${label}</figcaption></figure>`;
}
