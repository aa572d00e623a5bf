/*
 * Live updates of the Stream Events page: while a view whose date range is
 * open at the top is shown, it asks the API every 2 seconds for what was
 * logged since the view's cursor (`after`, with the cursor as If-None-Match,
 * so that "nothing new" is a 304 costing the server one lookup).
 *
 * Nothing moves under the reader: new events come in at the top only on
 * page 1, scrolled to the top, with no row open; otherwise an "N new events"
 * button (announced politely) brings them in when the reader asks. Polling
 * pauses while the tab is hidden and catches up when it is shown again; when
 * the server does not answer it retries with a growing delay and says
 * "Reconnecting" quietly. The API applies the viewer's scope and filters to
 * every poll, so nothing arrives here that the view would not show.
 *
 * It runs after stream-events.js and uses only window.StreamEvents (see the
 * end of that script): the view's API query, its page JSON, show() to render
 * a page, reload() and firstPage(), the page's words (t, tCount; "live.*" in
 * public/assets/i18n) and a slot to put its own few elements in.
 */
(function () {
  'use strict';

  var page = window.StreamEvents;
  if (!page || !window.fetch) return;

  var INTERVAL_MS = 2000;
  var RETRY_MS = [2000, 4000, 8000, 15000]; // after 1, 2, 3, 4+ failures in a row
  var RESYNCS = 3; // whole-view reloads in a row (a cursor the server no longer knows) before giving up
  var el = page.dom.el;

  // What is shown: the page JSON rendered, the API query it came from, the
  // cursor polled from, and new events not brought in yet.
  var view = null;
  var timer = null;
  var polling = false; // one request at a time: a tab shown again while one is out waits for it
  var failures = 0;
  var resyncs = 0;

  var stateText = el('span', { class: 'se-live-state', id: 'se-live-state', 'data-state': 'off' });
  var newsButton = el('button', { type: 'button', class: 'se-live-news', id: 'se-live-news', hidden: true, onclick: bringIn });
  // A polite live region around the button: "3 new events" is read out, and
  // only when the reader can do something with it.
  var news = el('div', { class: 'se-live-region', 'aria-live': 'polite' }, [newsButton]);

  function mount() {
    var slot = page.slot();
    if (slot && stateText.parentNode !== slot) {
      page.dom.clear(slot);
      slot.appendChild(stateText);
      slot.appendChild(news);
    }
  }

  function setState(name, text) {
    stateText.setAttribute('data-state', name);
    stateText.textContent = text;
  }

  // ---- the view shown ----------------------------------------------------
  page.onView(function (data) {
    stop();
    view = data && {
      data: data, query: page.apiQuery(), cursor: data.cursor,
      pending: [], counted: 0, shownTotal: data.total
    };
    mount();
    showNews();
    if (!view || !openAtTop()) {
      setState('off', '');
      return;
    }
    failures = 0;
    setState('live', page.t('live.on'));
    schedule(INTERVAL_MS);
  });

  // A range with a `to` in the past gets nothing new: no polling there.
  function openAtTop() {
    var to = view.query.get('to');
    if (!to) return true;
    var ms = /^\d+$/.test(to) ? Number(to) : Date.parse(to);
    return !(ms <= Date.now());
  }

  function stop() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  function schedule(ms) {
    stop();
    if (document.hidden) {
      setState('paused', page.t('live.paused'));
      return;
    }
    timer = setTimeout(poll, ms);
  }

  // ---- polling -------------------------------------------------------------
  function poll() {
    timer = null;
    var polled = view;
    if (!polled || polling || document.hidden) return;
    if (!openAtTop()) { setState('off', ''); return; }
    var params = new URLSearchParams(polled.query);
    params.delete('page');
    params.set('after', polled.cursor);
    var headers = Object.assign(page.headers(), { 'If-None-Match': '"' + polled.cursor + '"' });
    polling = true;
    fetch(page.apiUrl(params), { headers: headers, credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (res.status === 304) return { status: 304 };
        return res.json().then(
          function (body) { return { status: res.status, body: body, retryAfter: res.headers.get('Retry-After') }; },
          function () { return { status: res.status, retryAfter: res.headers.get('Retry-After') }; });
      })
      .then(function (r) { return r; }, function () { return { status: 0 }; })
      .then(function (r) {
        polling = false;
        if (polled === view) answered(r); // else the view changed meanwhile: its answer is stale
      });
  }

  function answered(r) {
    if (r.status === 304 || (r.status === 200 && r.body && Array.isArray(r.body.logs))) {
      failures = 0;
      resyncs = 0;
      setState('live', page.t('live.on'));
      if (r.status === 200) {
        view.cursor = r.body.cursor;
        if (r.body.logs.length > 0) arrived(r.body);
      }
      schedule(INTERVAL_MS);
    } else if (r.status === 400 || r.status === 401 || r.status === 403 || r.status === 404) {
      // The cursor or the view is no longer good (a replaced store, a signed-out
      // viewer, a service moved out of scope): load the view again, which shows
      // the page's own error if there is one.
      if (++resyncs > RESYNCS) { setState('off', ''); return; }
      page.reload();
    } else {
      failed(r.retryAfter);
    }
  }

  function failed(retryAfter) {
    failures++;
    setState('reconnecting', page.t('live.reconnecting'));
    var delay = RETRY_MS[Math.min(failures, RETRY_MS.length) - 1] * (0.8 + 0.4 * Math.random());
    var asked = Number(retryAfter) * 1000;
    schedule(asked > delay ? asked : delay);
  }

  // ---- new events ----------------------------------------------------------
  function arrived(body) {
    // A store whose ids are not in commit order (MariaDB) may send an event
    // again since a cursor: count only the ones not shown or pending yet.
    var known = {};
    view.pending.concat(view.data.logs).forEach(function (log) { known[log.id] = true; });
    var fresh = body.logs.filter(function (log) { return !known[log.id]; });
    if (fresh.length === 0) return;
    view.pending = merge(fresh, view.pending);
    view.counted += fresh.length;
    view.latest = body;
    if (view.data.page === 1 && readerAtTop()) bringInNow();
    else showNews();
  }

  // Newest first, as the API orders a page: by time, and at the same time the
  // one logged later first (what arrives now was logged after what is shown).
  function merge(newer, older) {
    var seen = {};
    return newer.concat(older).filter(function (log) {
      if (seen[log.id]) return false;
      seen[log.id] = true;
      return true;
    }).map(function (log, i) { return { log: log, i: i }; }).sort(function (a, b) {
      return (b.log.timestamp - a.log.timestamp) || (a.i - b.i);
    }).map(function (x) { return x.log; });
  }

  // The list may move only when the reader is at its top with nothing open,
  // no row keyboard-focused (the reader would lose their place) and no text selected.
  function readerAtTop() {
    var slot = page.slot();
    var list = app().querySelector('tbody');
    var focused = document.activeElement;
    var selection = window.getSelection ? window.getSelection() : null;
    return !!slot && slot.getBoundingClientRect().top >= 0
      && !app().querySelector('[aria-expanded="true"]')
      && !(list && focused && list.contains(focused) && keyboardFocus(focused))
      && !(list && selection && !selection.isCollapsed && list.contains(selection.anchorNode));
  }

  function keyboardFocus(node) {
    try { return node.matches(':focus-visible'); } catch (e) { return true; }
  }

  function app() { return document.getElementById('se-app'); }

  function newCount() {
    // A poll returns at most a page of events: beyond that, the total tells how many arrived.
    return Math.max(view.counted, view.latest ? view.latest.total - view.shownTotal : 0);
  }

  function showNews() {
    var n = view ? newCount() : 0;
    newsButton.hidden = n <= 0;
    newsButton.textContent = n <= 0 ? '' : page.tCount(view.data.page === 1 ? 'live.new' : 'live.newOnFirst', n);
  }

  function bringInNow() {
    var data = view.data;
    var latest = view.latest;
    var logs = merge(view.pending, data.logs).slice(0, data.perPage);
    var arrivedIds = {};
    view.pending.forEach(function (log) { arrivedIds[log.id] = true; });
    view.data = Object.assign({}, data, { logs: logs, total: latest.total, totalPages: latest.totalPages, cursor: view.cursor });
    view.pending = [];
    view.counted = 0;
    view.shownTotal = latest.total;
    page.show(view.data);
    showNews();
    Array.prototype.forEach.call(app().querySelectorAll('tr[data-id]'), function (tr) {
      if (arrivedIds[tr.getAttribute('data-id')]) tr.classList.add('se-live-new');
    });
  }

  function bringIn() {
    if (!view) return;
    if (view.data.page !== 1) {
      page.firstPage(); // a new view load: it comes with everything new
      return;
    }
    bringInNow();
    var first = app().querySelector('tr.se-live-new');
    if (first) {
      first.setAttribute('tabindex', '-1');
      first.focus({ preventScroll: true });
    }
    page.slot().scrollIntoView({ block: 'start' });
  }

  // ---- the tab hidden and shown again ----------------------------------------
  document.addEventListener('visibilitychange', function () {
    if (!view || !openAtTop()) return;
    if (document.hidden) {
      schedule(INTERVAL_MS); // stops, and says paused
    } else {
      if (failures > 0) setState('reconnecting', page.t('live.reconnecting'));
      else setState('live', page.t('live.on'));
      poll();
    }
  });
}());
