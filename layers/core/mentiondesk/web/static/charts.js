// Mentiondesk agent UI — charts drawn as inline SVG (no library), their table view, and CSV files.
//
// chartCard() frames a chart: its title, a Chart / Table switch (the table shows the same numbers
// to screen readers and to people who prefer to read), a CSV download, a legend. The drawing
// functions (columnChart, hbarChart, shareBar) draw into a host at its measured width and redraw
// when it is resized. Geometry lives in SVG attributes and colours in CSS classes (ch-tone-*), so
// nothing needs a style attribute under the page's CSP. Interactive charts are one tab stop: the
// arrow keys move between bars, Enter opens what a bar counts.

import { h, svg } from './dom.js';
import { addStrings, formatNumber, t } from './i18n.js';

// ------------------------------------------------------------ CSV

function csvCell(value) {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A cell a spreadsheet would run as a formula is defused with an apostrophe (numbers are numbers).
  if (typeof value !== 'number' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV for a spreadsheet: UTF-8 BOM (Excel reads Japanese right), CRLF lines, formulas defused. */
export function csvText(header, rows) {
  return `\ufeff${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Save a Blob as a file: a temporary <a download> on an object URL (allowed by the page's CSP). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

export function downloadCsv(filename, header, rows) {
  saveBlob(new Blob([csvText(header, rows)], { type: 'text/csv;charset=utf-8' }), filename);
}

// ------------------------------------------------------------ scales

function niceStep(raw, integer) {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const steps = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  const step = steps.find((s) => norm <= s + 1e-9) * mag;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** An axis from 0 with about `ticks` round steps covering `max`. */
export function niceScale(max, { ticks = 4, integer = true } = {}) {
  if (!(max > 0)) return { max: integer ? ticks : 1, step: integer ? 1 : 0.25 };
  const step = niceStep(max / ticks, integer);
  return { max: step * Math.ceil(max / step - 1e-9), step };
}

function measure(textEl) {
  try {
    return textEl.getComputedTextLength();
  } catch {
    return String(textEl.textContent || '').length * 7;
  }
}

/** Cut an SVG text to `width` pixels with an ellipsis (the full text stays in its <title>). */
function fitText(textEl, width) {
  const full = textEl.textContent || '';
  if (measure(textEl) <= width) return;
  let chars = Array.from(full);
  while (chars.length > 1 && measure(textEl) > width) {
    chars = chars.slice(0, -1);
    textEl.textContent = `${chars.join('').trimEnd()}…`;
  }
  textEl.prepend(svg('title', null, full));
}

// ------------------------------------------------------------ the shared interactive part

/**
 * Make `hits` (SVG groups) one tab stop with arrow keys, a tooltip on hover and focus, and Enter /
 * click to select. `grid(i)` answers [column, row] of hit i for the arrow keys.
 */
function wireHits(root, hits, { onSelect, tip, grid, focusIndex }) {
  if (!hits.length) return;
  const interactive = typeof onSelect === 'function';
  let current = Math.min(Math.max(focusIndex || 0, 0), hits.length - 1);
  hits.forEach((g, i) => {
    if (interactive) {
      g.setAttribute('tabindex', i === current ? '0' : '-1');
      g.setAttribute('role', 'button');
      g.addEventListener('click', () => onSelect(i));
    }
    g.addEventListener('pointerenter', () => tip.show(i));
    g.addEventListener('pointerleave', () => tip.hide());
    g.addEventListener('focus', () => {
      current = i;
      hits.forEach((other, j) => other.setAttribute('tabindex', j === i ? '0' : '-1'));
      root.dataset.focusIndex = String(i);
      tip.show(i);
    });
    g.addEventListener('blur', () => tip.hide());
  });
  if (!interactive) return;
  root.addEventListener('keydown', (e) => {
    const [col, row] = grid(current);
    let next = null;
    const find = (c, r) => hits.findIndex((_, j) => {
      const [cj, rj] = grid(j);
      return cj === c && rj === r;
    });
    const cols = Math.max(...hits.map((_, j) => grid(j)[0]));
    const nearestIn = (c) => {
      for (let r = row; r >= 0; r -= 1) if (find(c, r) !== -1) return find(c, r);
      return hits.findIndex((_, j) => grid(j)[0] === c);
    };
    if (e.key === 'ArrowRight') {
      for (let c = col + 1; c <= cols && next === null; c += 1) if (nearestIn(c) !== -1) next = nearestIn(c);
    } else if (e.key === 'ArrowLeft') {
      for (let c = col - 1; c >= 0 && next === null; c -= 1) if (nearestIn(c) !== -1) next = nearestIn(c);
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const same = hits.map((_, j) => j).filter((j) => grid(j)[0] === col);
      const at = same.indexOf(current) + (e.key === 'ArrowDown' ? 1 : -1);
      if (at >= 0 && at < same.length) next = same[at];
    } else if (e.key === 'Home') {
      next = 0;
    } else if (e.key === 'End') {
      next = hits.length - 1;
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(current);
      return;
    } else {
      return;
    }
    e.preventDefault();
    if (next !== null && next !== -1) hits[next].focus();
  });
}

/** A tooltip drawn inside the SVG: a rounded box with a title line and value lines. */
function svgTip(root, width, height, content) {
  const layer = svg('g', { class: 'ch-tip', 'aria-hidden': 'true', visibility: 'hidden' });
  root.append(layer);
  return {
    show(i) {
      // (x, y): where the box goes, to the right of x; it flips to the left of `left` (default x) at the edge.
      const { title, lines, x, y, left: flipAt = x } = content(i);
      layer.replaceChildren();
      const box = svg('rect', { class: 'ch-tip-box', rx: 6, ry: 6 });
      const text = svg('text', { class: 'ch-tip-text' });
      text.append(svg('tspan', { x: 10, dy: 16, class: 'ch-tip-title' }, title));
      for (const line of lines) {
        const row = svg('tspan', { x: 10, dy: 17 });
        if (line.tone) row.append(svg('tspan', { class: `ch-tip-dot ch-tone-${line.tone}` }, '● '));
        row.append(`${line.label}: `);
        row.append(svg('tspan', { class: 'ch-tip-value' }, line.value));
        text.append(row);
      }
      layer.append(box, text);
      layer.setAttribute('visibility', 'visible');
      const b = text.getBBox();
      const w = Math.ceil(b.width + 20);
      const hgt = Math.ceil(b.height + 14);
      box.setAttribute('width', w);
      box.setAttribute('height', hgt);
      let boxLeft = x + 8;
      if (boxLeft + w > width - 2) boxLeft = flipAt - w - 8;
      boxLeft = Math.max(2, boxLeft);
      const top = Math.min(Math.max(2, y - hgt / 2), height - hgt - 2);
      layer.setAttribute('transform', `translate(${Math.round(boxLeft)},${Math.round(top)})`);
    },
    hide() {
      layer.setAttribute('visibility', 'hidden');
    },
  };
}

/** Draw with `paint(width)` now and again whenever the host's width changes; keep a bar's focus. */
function responsive(host, paint) {
  let width = 0;
  const redraw = () => {
    const w = Math.floor(host.clientWidth);
    if (w < 40 || w === width) return;
    width = w;
    const old = host.querySelector('svg');
    const had = old && old.contains(document.activeElement) ? Number(old.dataset.focusIndex || 0) : null;
    const root = paint(w, had);
    host.replaceChildren(root);
    if (had !== null) root.querySelectorAll('.ch-hit')[had]?.focus({ preventScroll: true });
  };
  const observer = new ResizeObserver(() => redraw());
  observer.observe(host);
  requestAnimationFrame(redraw);
  return () => observer.disconnect();
}

// ------------------------------------------------------------ column chart (days, buckets)

/**
 * Vertical bars per category (a day, an age bucket): grouped or stacked series, or lines when there
 * are many categories. opts: categories [{label, short}], series [{label, tone}], value(ci, si),
 * stacked, format(n), integer, height, title, onSelect(ci, si), hitLabel(ci, si), empty.
 */
/** A chart's SVG root: an image, or a group of selectable bars when the chart drills down. */
function chartSvg(width, height, opts) {
  return svg('svg', {
    class: 'ch-svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: opts.onSelect ? 'group' : 'img',
    'aria-label': opts.title,
    focusable: 'false',
  });
}

export function columnChart(host, opts) {
  const n = opts.categories.length;
  const lines = !opts.stacked && n > 31;
  const format = opts.format || ((v) => formatNumber(v));
  const value = (ci, si) => {
    const v = opts.value(ci, si);
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  };
  return responsive(host, (width, focusIndex) => {
    const H = opts.height || 240;
    const m = { top: 14, right: 12, bottom: 30, left: 12 };
    let top = 0;
    for (let ci = 0; ci < n; ci += 1) {
      const parts = opts.series.map((_, si) => value(ci, si));
      top = Math.max(top, opts.stacked ? parts.reduce((a, b) => a + b, 0) : Math.max(0, ...parts));
    }
    const scale = niceScale(top, { integer: opts.integer !== false });
    const root = chartSvg(width, H, opts);
    // y axis labels decide the left margin
    const ticks = [];
    for (let v = 0; v <= scale.max + scale.step / 1000; v += scale.step) ticks.push(v);
    const tickLabels = ticks.map((v) => svg('text', { class: 'ch-tick', 'text-anchor': 'end', 'dominant-baseline': 'middle' }, format(v)));
    const probe = svg('g', { visibility: 'hidden' }, ...tickLabels);
    root.append(probe);
    host.replaceChildren(root);
    m.left = Math.ceil(Math.max(24, ...tickLabels.map(measure))) + 10;
    probe.remove();
    const pw = Math.max(10, width - m.left - m.right);
    const ph = H - m.top - m.bottom;
    const y = (v) => m.top + ph - (v / scale.max) * ph;
    const grid = svg('g', { class: 'ch-grid-layer' });
    ticks.forEach((v, i) => {
      grid.append(svg('line', { class: v === 0 ? 'ch-axis' : 'ch-grid', x1: m.left, x2: m.left + pw, y1: y(v), y2: y(v) }));
      tickLabels[i].setAttribute('x', m.left - 8);
      tickLabels[i].setAttribute('y', y(v));
      grid.append(tickLabels[i]);
    });
    root.append(grid);

    const band = pw / Math.max(n, 1);
    const cx = (ci) => m.left + band * ci + band / 2;
    // x labels: as many as fit
    const xLabels = svg('g', { class: 'ch-xlabels' });
    root.append(xLabels);
    const sample = svg('text', { class: 'ch-tick' }, opts.categories[0] ? opts.categories[0].short : '');
    xLabels.append(sample);
    const labelW = measure(sample) + 10;
    sample.remove();
    const every = Math.max(1, Math.ceil(labelW / band));
    opts.categories.forEach((c, ci) => {
      if (ci % every !== 0) return;
      xLabels.append(svg('text', { class: 'ch-tick', x: cx(ci), y: H - 10, 'text-anchor': 'middle' }, c.short));
    });

    const hover = svg('rect', { class: 'ch-hover', x: 0, y: m.top, width: band, height: ph, visibility: 'hidden' });
    root.append(hover);
    const marks = svg('g', { class: 'ch-marks' });
    root.append(marks);
    const hits = [];
    const pos = [];
    const S = opts.series.length;
    if (lines) {
      opts.series.forEach((s, si) => {
        const d = opts.categories.map((_, ci) => `${ci ? 'L' : 'M'}${cx(ci).toFixed(1)},${y(value(ci, si)).toFixed(1)}`).join('');
        marks.append(svg('path', { class: `ch-line ch-tone-${s.tone}`, d }));
      });
      for (let ci = 0; ci < n; ci += 1) {
        opts.series.forEach((s, si) => {
          const g = svg('g', { class: 'ch-hit', 'aria-label': opts.hitLabel ? opts.hitLabel(ci, si) : null });
          g.append(svg('circle', { class: `ch-dot ch-mark ch-tone-${s.tone}`, cx: cx(ci), cy: y(value(ci, si)), r: n > 60 ? 2 : 3 }));
          g.append(svg('rect', { class: 'ch-hitbox', x: cx(ci) - band / 2, y: y(value(ci, si)) - 8, width: band, height: 16 }));
          marks.append(g);
          hits.push(g);
          pos.push([ci, si]);
        });
      }
    } else {
      const inner = band * (n > 20 ? 0.78 : 0.64);
      const barW = opts.stacked ? inner : inner / S;
      for (let ci = 0; ci < n; ci += 1) {
        let base = 0;
        opts.series.forEach((s, si) => {
          const v = value(ci, si);
          const x = opts.stacked ? cx(ci) - inner / 2 : cx(ci) - inner / 2 + barW * si;
          const y0 = y(opts.stacked ? base + v : v);
          const y1 = y(opts.stacked ? base : 0);
          base += opts.stacked ? v : 0;
          const g = svg('g', { class: 'ch-hit', 'aria-label': opts.hitLabel ? opts.hitLabel(ci, si) : null });
          const hgt = Math.max(0, y1 - y0);
          g.append(svg('rect', { class: `ch-bar ch-mark ch-tone-${s.tone}`, x: x + 0.5, y: y0, width: Math.max(1, barW - 1), height: hgt, rx: Math.min(2, barW / 4) }));
          // A generous invisible target, so thin and zero bars can still be pointed at.
          g.append(svg('rect', { class: 'ch-hitbox', x, y: opts.stacked ? y0 : m.top, width: barW, height: opts.stacked ? Math.max(hgt, 1) : ph }));
          if (!opts.stacked || v > 0 || !opts.onSelect) {
            marks.append(g);
            hits.push(g);
            pos.push([ci, si]);
          }
        });
      }
    }
    if (opts.empty) {
      root.append(svg('text', { class: 'ch-empty', x: m.left + pw / 2, y: m.top + ph / 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, t('charts.empty')));
    }
    const tip = svgTip(root, width, H, (i) => {
      const [ci] = pos[i];
      hover.setAttribute('x', m.left + band * ci);
      hover.setAttribute('visibility', 'visible');
      const total = opts.series.reduce((a, _, si) => a + value(ci, si), 0);
      const peak = y(opts.stacked ? total : Math.max(...opts.series.map((_, si) => value(ci, si))));
      return {
        title: opts.categories[ci].label,
        lines: opts.series.map((s, si) => ({ label: s.label, value: format(value(ci, si)), tone: s.tone })),
        // beside the day's bars, level with their top (never lower than the middle of the plot)
        x: lines ? cx(ci) + 6 : m.left + band * (ci + 1) - band * 0.1,
        left: lines ? cx(ci) - 6 : m.left + band * ci + band * 0.1,
        y: Math.min(peak + 20, m.top + ph * 0.45),
      };
    });
    const hideTip = tip.hide;
    tip.hide = () => {
      hideTip();
      hover.setAttribute('visibility', 'hidden');
    };
    wireHits(root, hits, {
      onSelect: opts.onSelect ? (i) => opts.onSelect(...pos[i]) : null,
      tip,
      grid: (i) => pos[i],
      focusIndex,
    });
    return root;
  });
}

// ------------------------------------------------------------ horizontal bars (dimensions, costs)

/**
 * One bar per item, labels on the left, the value at the bar's end. opts: items [{label, value,
 * display, tone}], format(n), scale 'linear' | 'log', title, onSelect(i), hitLabel(i), note(i).
 */
export function hbarChart(host, opts) {
  const items = opts.items;
  const format = opts.format || ((v) => formatNumber(v));
  const log = opts.scale === 'log';
  return responsive(host, (width, focusIndex) => {
    const rowH = opts.rowHeight || 30;
    const barH = Math.round(rowH * 0.56);
    const axisH = log ? 24 : 8;
    const H = Math.max(1, items.length) * rowH + axisH + 6;
    const root = chartSvg(width, H, opts);
    host.replaceChildren(root);
    const labels = items.map((it) => svg('text', { class: 'ch-label', 'dominant-baseline': 'middle' }, it.label));
    const probe = svg('g', { visibility: 'hidden' }, ...labels);
    root.append(probe);
    const labelW = Math.min(Math.max(60, ...labels.map(measure)) + 12, Math.round(width * 0.36), 220);
    probe.remove();
    const values = items.map((it) => (typeof it.value === 'number' && Number.isFinite(it.value) ? it.value : null));
    const displays = items.map((it, i) => it.display || (values[i] === null ? '—' : format(values[i])));
    const valueLabels = displays.map((d) => svg('text', { class: 'ch-value', 'dominant-baseline': 'middle' }, d));
    const probe2 = svg('g', { visibility: 'hidden' }, ...valueLabels);
    root.append(probe2);
    const valueW = Math.max(30, ...valueLabels.map(measure)) + 10;
    probe2.remove();
    const x0 = labelW;
    const pw = Math.max(20, width - x0 - valueW - 4);
    let xOf;
    const axis = svg('g', { class: 'ch-grid-layer' });
    if (log) {
      const positive = values.filter((v) => v !== null && v > 0);
      const lo = Math.floor(Math.log10(Math.min(...positive, 1)));
      const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive, 1))));
      xOf = (v) => (v > 0 ? x0 + ((Math.log10(v) - lo) / (hi - lo)) * pw : x0);
      for (let p = lo; p <= hi; p += 1) {
        const x = x0 + ((p - lo) / (hi - lo)) * pw;
        axis.append(svg('line', { class: 'ch-grid', x1: x, x2: x, y1: 2, y2: H - axisH }));
        axis.append(svg('text', { class: 'ch-tick', x, y: H - 6, 'text-anchor': 'middle' }, format(10 ** p)));
      }
    } else {
      const top = Math.max(0, ...values.filter((v) => v !== null));
      const max = top > 0 ? top : 1;
      xOf = (v) => x0 + (Math.max(0, v) / max) * pw;
    }
    axis.append(svg('line', { class: 'ch-axis', x1: x0, x2: x0, y1: 2, y2: H - axisH }));
    root.append(axis);
    const marks = svg('g', { class: 'ch-marks' });
    root.append(marks);
    const hits = [];
    items.forEach((it, i) => {
      const cy = 4 + i * rowH + rowH / 2;
      labels[i].setAttribute('x', 0);
      labels[i].setAttribute('y', cy);
      const g = svg('g', { class: 'ch-hit', 'aria-label': opts.hitLabel ? opts.hitLabel(i) : null });
      g.append(labels[i]);
      const v = values[i];
      const end = v === null ? x0 : Math.max(x0 + (v > 0 ? 2 : 0), xOf(v));
      g.append(svg('rect', { class: 'ch-track', x: x0, y: cy - barH / 2, width: pw, height: barH, rx: 3 }));
      g.append(svg('rect', { class: `ch-bar ch-mark ch-tone-${it.tone || 'blue'}`, x: x0, y: cy - barH / 2, width: Math.max(0, end - x0), height: barH, rx: 3 }));
      valueLabels[i].setAttribute('x', end + 6);
      valueLabels[i].setAttribute('y', cy);
      g.append(valueLabels[i]);
      g.append(svg('rect', { class: 'ch-hitbox', x: 0, y: cy - rowH / 2, width, height: rowH }));
      marks.append(g);
      hits.push(g);
    });
    for (const label of labels) fitText(label, labelW - 12);
    if (opts.empty || !items.length) {
      root.append(svg('text', { class: 'ch-empty', x: width / 2, y: H / 2, 'text-anchor': 'middle', 'dominant-baseline': 'middle' }, t('charts.empty')));
    }
    const tip = svgTip(root, width, H, (i) => ({
      title: items[i].label,
      lines: opts.tipLines ? opts.tipLines(i) : [{ label: opts.valueLabel || opts.title, value: displays[i], tone: items[i].tone || 'blue' }],
      x: Math.min(width - 40, Math.max(x0, values[i] === null ? x0 : xOf(values[i]))) + valueW,
      y: 4 + i * rowH + rowH / 2,
    }));
    wireHits(root, hits, { onSelect: opts.onSelect || null, tip, grid: (i) => [0, i], focusIndex });
    return root;
  });
}

// ------------------------------------------------------------ one bar split into shares

/** A single 100 % bar split into parts [{label, value, display, tone}] (for shares of a total). */
export function shareBar(host, opts) {
  const parts = opts.parts;
  return responsive(host, (width) => {
    const H = 34;
    const root = svg('svg', { class: 'ch-svg', width, height: H + 4, viewBox: `0 0 ${width} ${H + 4}`, role: 'img', 'aria-label': opts.title, focusable: 'false' });
    host.replaceChildren(root);
    const total = parts.reduce((a, p) => a + (p.value > 0 ? p.value : 0), 0);
    root.append(svg('rect', { class: 'ch-track', x: 0, y: 2, width, height: H, rx: 6 }));
    const clip = `clip-${Math.random().toString(36).slice(2)}`;
    root.append(svg('clipPath', { id: clip }, svg('rect', { x: 0, y: 2, width, height: H, rx: 6 })));
    const g = svg('g', { 'clip-path': `url(#${clip})` });
    root.append(g);
    let x = 0;
    const hits = [];
    const spans = [];
    for (const p of parts) {
      const w = total > 0 && p.value > 0 ? (p.value / total) * width : 0;
      const hit = svg('g', { class: 'ch-hit' });
      hit.append(svg('rect', { class: `ch-bar ch-mark ch-tone-${p.tone}`, x, y: 2, width: w, height: H }));
      g.append(hit);
      hits.push(hit);
      spans.push([x, w]);
      if (w > 1 && x > 0) g.append(svg('line', { class: 'ch-sep', x1: x, x2: x, y1: 2, y2: H + 2 }));
      x += w;
    }
    const tip = svgTip(root, width, H + 4, (i) => ({
      title: parts[i].label,
      lines: [{ label: opts.valueLabel || opts.title, value: parts[i].display, tone: parts[i].tone }],
      x: spans[i][0] + spans[i][1] / 2,
      y: 10,
    }));
    wireHits(root, hits, { onSelect: null, tip, grid: (i) => [i, 0] });
    return root;
  });
}

// ------------------------------------------------------------ tables and the card

/**
 * An accessible table: columns [{label, numeric}], rows of cells (text or nodes); the first cell of
 * a row is its header.
 */
export function dataTable({ caption, columns, rows, testid, foot }) {
  return h(
    'div',
    { class: 'ch-table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: 'ch-table', 'data-testid': testid || null },
      h('caption', { class: 'sr-only' }, caption),
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'is-num' : null }, c.label)))),
      h(
        'tbody',
        null,
        rows.map((cells) =>
          h(
            'tr',
            null,
            cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: columns[i] && columns[i].numeric ? 'is-num' : null }, cell))),
          ),
        ),
      ),
      foot ? h('tfoot', null, h('tr', null, foot.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: columns[i] && columns[i].numeric ? 'is-num' : null }, cell))))) : null,
    ),
  );
}

const views = new Map(); // card id → 'chart' | 'table', kept across re-renders

export function legend(items) {
  return h(
    'ul',
    { class: 'ch-legend' },
    items.map((it) => h('li', null, h('span', { class: `ch-swatch ch-tone-${it.tone}`, 'aria-hidden': 'true' }), it.label)),
  );
}

/**
 * A chart in a card. opts: id, testid, title, subtitle, draw(host) → cleanup, table() → element,
 * csv() → {filename, header, rows}, legend [{label, tone}], wide, tools (more controls), lead (above),
 * extra (below the chart), note.
 * Answers { el, cleanup }.
 */
export function chartCard(opts) {
  const id = opts.id;
  let view = views.get(id) || opts.defaultView || 'chart';
  const titleId = `${id}-title`;
  const host = h('div', { class: 'ch-host', 'data-testid': `${opts.testid}-chart` });
  const tableSlot = h('div', { class: 'ch-table-slot', 'data-testid': `${opts.testid}-table` });
  const chartSlot = h('div', { class: 'ch-chart-slot' }, opts.legend && opts.legend.length ? legend(opts.legend) : null, host, opts.extra || null);
  let cleanup = null;
  const paint = () => {
    chartSlot.hidden = view !== 'chart';
    tableSlot.hidden = view !== 'table';
    if (view === 'chart' && !cleanup) cleanup = opts.draw(host) || (() => {});
    if (view === 'table' && !tableSlot.firstChild) tableSlot.append(opts.table());
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.view === view));
  };
  const buttons = ['chart', 'table'].map((v) =>
    h(
      'button',
      { type: 'button', class: 'ch-seg-btn', 'data-testid': `${opts.testid}-view-${v}`, dataset: { view: v } },
      t(v === 'chart' ? 'charts.chart' : 'charts.table'),
    ),
  );
  for (const b of buttons) {
    b.addEventListener('click', () => {
      view = b.dataset.view;
      views.set(id, view);
      paint();
    });
  }
  const csvButton = opts.csv
    ? h(
        'button',
        {
          type: 'button',
          class: 'btn btn-sm btn-quiet ch-csv',
          'data-testid': `${opts.testid}-csv`,
          'aria-label': t('charts.downloadNamed', { title: opts.title }),
          title: t('charts.downloadNamed', { title: opts.title }),
        },
        downloadIcon(),
        'CSV',
      )
    : null;
  csvButton?.addEventListener('click', () => {
    const { filename, header, rows } = opts.csv();
    downloadCsv(filename, header, rows);
  });
  const el = h(
    'section',
    { class: ['ch-card', opts.wide ? 'is-wide' : null, opts.className || null], 'data-testid': opts.testid, 'aria-labelledby': titleId },
    h(
      'header',
      { class: 'ch-head' },
      h('div', { class: 'ch-heading' }, h('h2', { id: titleId, class: 'ch-title' }, opts.title), opts.subtitle ? h('p', { class: 'ch-sub' }, opts.subtitle) : null),
      h(
        'div',
        { class: 'ch-tools' },
        opts.tools || null,
        opts.table ? h('div', { class: 'ch-seg', role: 'group', 'aria-label': t('charts.viewLabel', { title: opts.title }) }, buttons) : null,
        csvButton,
      ),
    ),
    opts.lead || null,
    chartSlot,
    tableSlot,
    opts.note ? h('p', { class: 'ch-note' }, opts.note) : null,
  );
  paint();
  return {
    el,
    cleanup: () => {
      if (cleanup) cleanup();
    },
  };
}

export function downloadIcon() {
  return svg(
    'svg',
    { class: 'icon', viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false' },
    svg('path', { d: 'M8 2v8m0 0 3.2-3.2M8 10 4.8 6.8M3 13h10', fill: 'none', stroke: 'currentColor', 'stroke-width': 1.6, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }),
  );
}

addStrings({
  en: {
    'charts.chart': 'Chart',
    'charts.table': 'Table',
    'charts.viewLabel': 'Show {title} as',
    'charts.downloadNamed': 'Download “{title}” as CSV',
    'charts.empty': 'Nothing in this period',
  },
  ja: {
    'charts.chart': 'グラフ',
    'charts.table': '表',
    'charts.viewLabel': '「{title}」の表示形式',
    'charts.downloadNamed': '「{title}」を CSV でダウンロード',
    'charts.empty': 'この期間のデータはありません',
  },
});
