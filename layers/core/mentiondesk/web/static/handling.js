// Mentiondesk agent UI — handling time: the seconds an agent actively works on the open ticket,
// reported to POST /api/tickets/{id}/time so finance can price them at the agent's hourly rate.
//
// A second counts when the page is visible and focused and the agent typed, clicked, scrolled or
// moved the pointer in the last minute. The count goes to the API every minute of active time and
// when the ticket is left (also when the tab is closed: a keepalive request). Each report carries an
// id, so a report sent twice is counted once; a report that failed is sent again with the same id.

import { getToken } from './api.js';

const TICK_MS = 1000;
const IDLE_MS = 60_000;
const REPORT_SECONDS = 60;
const MAX_REPORT_SECONDS = 300; // the API's limit per report
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'input', 'focusin'];

function beatId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class HandlingClock {
  constructor({ now = () => Date.now(), doc = document, win = window, fetcher = (...a) => fetch(...a) } = {}) {
    this.now = now;
    this.doc = doc;
    this.win = win;
    this.fetcher = fetcher;
    this.ticketId = null;
    this.seconds = 0;
    this.pending = null; // { ticketId, seconds, beat_id } not yet accepted by the API
    this.lastActivity = 0;
    this.timer = null;
    this.onActivity = () => {
      this.lastActivity = this.now();
    };
    this.onHide = () => this.flush({ keepalive: true });
  }

  /** Start counting for `ticketId` (reporting what was counted for the previous ticket). */
  start(ticketId) {
    if (this.ticketId === ticketId) return;
    this.stop();
    this.ticketId = ticketId;
    this.seconds = 0;
    this.lastActivity = this.now();
    for (const name of ACTIVITY) this.doc.addEventListener(name, this.onActivity, { passive: true, capture: true });
    this.win.addEventListener('pagehide', this.onHide);
    this.timer = this.win.setInterval(() => this.tick(), TICK_MS);
  }

  /** Stop counting and report what was counted. */
  stop({ keepalive = false } = {}) {
    if (this.timer !== null) this.win.clearInterval(this.timer);
    this.timer = null;
    for (const name of ACTIVITY) this.doc.removeEventListener(name, this.onActivity, { capture: true });
    this.win.removeEventListener('pagehide', this.onHide);
    this.flush({ keepalive });
    this.ticketId = null;
  }

  active() {
    const visible = this.doc.visibilityState === 'visible';
    const focused = typeof this.doc.hasFocus === 'function' ? this.doc.hasFocus() : true;
    return visible && focused && this.now() - this.lastActivity < IDLE_MS;
  }

  tick() {
    if (!this.ticketId || !this.active()) return;
    this.seconds += 1;
    if (this.seconds >= REPORT_SECONDS) this.flush();
  }

  /** Send the pending report (again) and what was counted since, one report each. */
  flush({ keepalive = false } = {}) {
    if (this.ticketId && this.seconds > 0 && !this.pending) {
      this.pending = { ticketId: this.ticketId, seconds: Math.min(this.seconds, MAX_REPORT_SECONDS), beat_id: beatId() };
      this.seconds = 0;
    }
    const report = this.pending;
    const token = getToken();
    if (!report || !token) return Promise.resolve();
    const url = `/api/tickets/${encodeURIComponent(report.ticketId)}/time`;
    return this.fetcher(url, {
      method: 'POST',
      keepalive,
      credentials: 'same-origin',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: report.seconds, beat_id: report.beat_id }),
    })
      .then((res) => {
        // Accepted, or refused for good (the ticket is gone, the body is wrong): not sent again.
        if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429)) {
          if (this.pending === report) this.pending = null;
        }
      })
      .catch(() => {
        /* offline: the same report goes again with the next one */
      });
  }
}

export const handling = new HandlingClock();
