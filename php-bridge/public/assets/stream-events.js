/*
 * Stream Events page: global view (/stream-events) and one service's view
 * (/services/{id}/stream-events). Plain JS, no build step, no dependencies.
 *
 * Everything comes from the same JSON API the controller serves
 * (/controller/EventLog[/{id}]); filter state lives in the page URL so that a
 * reload or a shared link shows the same view. Data is only ever put into the
 * DOM with textContent / attributes (never innerHTML): DJ names, titles and
 * mount names come from outside the panel.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('se-config').textContent);
  // The event catalog comes from the library (el_catalog), embedded by the page controller.
  var catalog = config.catalog;
  var CATEGORY_LABEL = {};
  catalog.categories.forEach(function (c) { CATEGORY_LABEL[c.id] = c.label; });
  var TABS = [{ id: 'all', label: 'All Events' }].concat(catalog.categories);
  // Display words for the catalog's actor types; an unknown one shows its id.
  var ACTOR_LABEL = { user: 'User', dj: 'DJ', api: 'API', system: 'System' };
  function actorLabel(type) { return ACTOR_LABEL[type] || type; }
  var PER_PAGE = [25, 50, 100, 200];
  // A host page script may set window.StreamEventsHost before this one runs
  // (the demo's does): requestHeaders() for API calls, service(id) ->
  // {name, kind, status} or null for the title, and wrap(root, main, dom) to
  // place the page in the host's own layout.
  var host = window.StreamEventsHost || {};

  var root = document.getElementById('se-app');
  var serviceId = config.serviceId || null;
  var requestSeq = 0;
  var state;

  // ---- small DOM helpers (text only) -------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') node.textContent = String(v);
        else if (k === 'class') node.className = v;
        else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function option(value, label, selected) {
    return el('option', { value: value, text: label, selected: selected });
  }

  function authHeaders() {
    return Object.assign({ Accept: 'application/json' }, host.requestHeaders ? host.requestHeaders() : {});
  }

  // ---- URL state ---------------------------------------------------------
  // The page URL's parameters are the API's: they go to the server as they
  // are, and the server (the library) judges them, so a bad one shows the
  // server's error. Only the date inputs' days are turned into the viewer's
  // local midnights on the way.
  var FILTER_PARAMS = ['category', 'type', 'actor', 'from', 'to', 'q'];
  function readState() {
    var p = new URLSearchParams(window.location.search);
    var s = { category: p.get('category') || 'all', page: p.get('page') || '', perPage: p.get('per_page') || '', other: [] };
    FILTER_PARAMS.slice(1).forEach(function (k) { s[k] = p.get(k) || ''; });
    p.forEach(function (v, k) {
      if (FILTER_PARAMS.indexOf(k) < 0 && k !== 'page' && k !== 'per_page') s.other.push([k, v]);
    });
    return s;
  }
  function stateToPageQuery(s) {
    var p = new URLSearchParams();
    FILTER_PARAMS.forEach(function (k) { if (s[k] && !(k === 'category' && s[k] === 'all')) p.set(k, s[k]); });
    if (s.page && s.page !== '1') p.set('page', s.page);
    if (s.perPage && s.perPage !== '25') p.set('per_page', s.perPage);
    s.other.forEach(function (kv) { p.append(kv[0], kv[1]); });
    return p;
  }
  // A calendar day as the viewer's local midnight (ms), or null when it is not one.
  function localMidnightMs(day, addDays) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!m) return null;
    var d = new Date(+m[1], m[2] - 1, +m[3]);
    if (d.getFullYear() !== +m[1] || d.getMonth() !== m[2] - 1 || d.getDate() !== +m[3]) return null;
    d.setDate(d.getDate() + addDays);
    return d.getTime();
  }
  function stateToApiQuery(s) {
    var p = stateToPageQuery(s);
    // from: that day's local midnight (inclusive); to: the next day's (exclusive).
    [['from', 0], ['to', 1]].forEach(function (f) {
      var ms = s[f[0]] ? localMidnightMs(s[f[0]], f[1]) : null;
      if (ms !== null) p.set(f[0], String(ms));
    });
    return p;
  }
  function apiUrl(params) {
    return config.apiBase + (serviceId ? '/' + serviceId : '') + '?' + params.toString();
  }
  function exportUrl(s) {
    var p = stateToApiQuery(s);
    p.delete('page');
    p.delete('per_page');
    p.set('format', 'csv');
    return apiUrl(p);
  }
  function navigate(changes, resetPage) {
    var next = Object.assign({}, state, changes);
    if (resetPage) next.page = '';
    if (next.type && next.category !== 'all' && next.type.split('.')[0] !== next.category) next.type = '';
    var q = stateToPageQuery(next).toString();
    window.history.pushState(null, '', window.location.pathname + (q ? '?' + q : ''));
    state = next;
    render();
  }

  // ---- formatting --------------------------------------------------------
  var fmtLocal = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  // The table leaves the year out (the window is 30 days; hover and details carry it).
  var fmtShort = new Intl.DateTimeFormat(undefined, {
    month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  var timeZone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || 'local time';
  function utcString(ms) { return new Date(ms).toISOString().replace('.000Z', 'Z') + ' (UTC)'; }
  function logMs(log) { return typeof log.timestamp === 'number' ? log.timestamp : Date.parse(log.time); }
  function number(n) { return Number(n).toLocaleString(); }

  // ---- layout (built once) -----------------------------------------------
  var ui = {};
  function build() {
    clear(root);
    var main = el('main', { class: 'se-main' });
    if (host.wrap) host.wrap(root, main, { el: el, clear: clear, option: option });
    else root.appendChild(main);

    ui.title = el('h1', { class: 'se-title' });
    ui.subtitle = el('p', { class: 'se-subtitle' });
    main.appendChild(el('header', { class: 'se-head' }, [ui.title, ui.subtitle]));

    ui.tabs = el('div', { class: 'se-tabs', role: 'tablist', 'aria-label': 'Event category' });
    TABS.forEach(function (t) {
      ui.tabs.appendChild(el('button', {
        type: 'button', role: 'tab', class: 'se-tab', 'data-category': t.id, text: t.label,
        onclick: function () { navigate({ category: t.id }, true); }
      }));
    });
    main.appendChild(ui.tabs);

    ui.from = el('input', { type: 'date', id: 'se-from', name: 'from' });
    ui.to = el('input', { type: 'date', id: 'se-to', name: 'to' });
    ui.type = el('select', { id: 'se-type', name: 'type' });
    ui.actor = el('select', { id: 'se-actor', name: 'actor' });
    ui.actor.appendChild(option('', 'Any actor'));
    catalog.actorTypes.forEach(function (a) { ui.actor.appendChild(option(a, actorLabel(a))); });
    ui.q = el('input', { type: 'search', id: 'se-q', name: 'q', placeholder: 'DJ, IP or message', autocomplete: 'off' });
    ui.from.addEventListener('change', function () { navigate({ from: ui.from.value }, true); });
    ui.to.addEventListener('change', function () { navigate({ to: ui.to.value }, true); });
    ui.type.addEventListener('change', function () { navigate({ type: ui.type.value }, true); });
    ui.actor.addEventListener('change', function () { navigate({ actor: ui.actor.value }, true); });
    ui.q.addEventListener('change', function () { navigate({ q: ui.q.value.trim() }, true); });
    ui.reset = el('button', {
      type: 'button', class: 'se-btn se-btn-plain', id: 'se-reset', text: 'Clear filters',
      onclick: function () { navigate({ category: 'all', type: '', actor: '', from: '', to: '', q: '', perPage: '', other: [] }, true); }
    });
    ui.exportBtn = el('button', {
      type: 'button', class: 'se-btn se-btn-primary', id: 'se-export', text: 'Export CSV',
      onclick: exportCsv
    });
    function field(label, input) { return el('label', { class: 'se-field' }, [el('span', { text: label }), input]); }
    main.appendChild(el('form', { class: 'se-filters', onsubmit: function (e) { e.preventDefault(); ui.q.dispatchEvent(new Event('change')); } }, [
      field('From', ui.from), field('To', ui.to), field('Event type', ui.type), field('Actor', ui.actor),
      field('Search', ui.q), el('div', { class: 'se-filter-actions' }, [ui.reset, ui.exportBtn])
    ]));

    ui.status = el('div', { class: 'se-status', role: 'status', 'aria-live': 'polite' });
    ui.error = el('div', { class: 'se-error', role: 'alert', hidden: true });
    main.appendChild(ui.status);
    main.appendChild(ui.error);

    ui.table = el('table', { class: 'se-table' });
    ui.thead = el('thead');
    ui.tbody = el('tbody');
    ui.table.appendChild(ui.thead);
    ui.table.appendChild(ui.tbody);
    ui.tableWrap = el('div', { class: 'se-table-wrap' }, [ui.table]);
    main.appendChild(ui.tableWrap);

    ui.pager = el('nav', { class: 'se-pager', 'aria-label': 'Pages' });
    main.appendChild(ui.pager);
    buildHead();
  }

  function buildHead() {
    var cols = ['', 'Time (' + timeZone + ')', 'Event'];
    if (!serviceId) cols.push('Service');
    cols = cols.concat(['Actor', 'DJ', 'Source IP', 'Takeover', 'Message']);
    var tr = el('tr');
    cols.forEach(function (c, i) { tr.appendChild(el('th', { scope: 'col', text: c, class: i === 0 ? 'se-col-toggle' : null })); });
    ui.thead.appendChild(tr);
  }

  // ---- rendering a view --------------------------------------------------
  function render() {
    var info = serviceId && host.service ? host.service(serviceId) : null;
    clear(ui.title);
    ui.title.appendChild(el('span', null, serviceId
      ? ['Stream Events \u2014 ', info ? userText(info.name) : 'Service #' + serviceId] : ['Stream Events']));
    if (info && info.status && info.status !== 'active') {
      ui.title.appendChild(el('span', { class: 'se-pill se-status-' + info.status, text: info.status }));
    }
    ui.subtitle.textContent = serviceId
      ? 'Everything that happened on this service' + (info ? ' (' + info.kind + ')' : '') + ', newest first.'
      : (config.role && config.role !== 'admin' ? 'Events of the services you can see' : 'Events across the whole panel') + ', newest first.';
    document.title = ui.title.textContent;

    Array.prototype.forEach.call(ui.tabs.children, function (b) {
      var on = b.getAttribute('data-category') === state.category;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.classList.toggle('se-tab-active', on);
    });
    clear(ui.type);
    ui.type.appendChild(option('', 'Any type'));
    catalog.categories.forEach(function (c) {
      if (state.category !== 'all' && state.category !== c.id) return;
      var group = el('optgroup', { label: c.label });
      catalog.types.forEach(function (t) {
        if (t.category === c.id) group.appendChild(option(t.id, t.label, t.id === state.type));
      });
      ui.type.appendChild(group);
    });
    ui.actor.value = state.actor;
    ui.from.value = state.from;
    ui.to.value = state.to;
    ui.q.value = state.q;
    ui.exportBtn.setAttribute('data-export-url', exportUrl(state));
    load();
  }

  function load() {
    var seq = ++requestSeq;
    root.setAttribute('aria-busy', 'true');
    ui.status.textContent = 'Loading\u2026';
    fetch(apiUrl(stateToApiQuery(state)), { headers: authHeaders(), credentials: 'same-origin' })
      .then(function (res) {
        return res.text().then(function (body) {
          var data = null;
          try { data = JSON.parse(body); } catch (e) { /* not JSON */ }
          return { res: res, data: data };
        });
      })
      .then(function (r) {
        if (seq !== requestSeq) return;
        if (!r.res.ok || !r.data || !Array.isArray(r.data.logs)) {
          showError(r.res.status, r.data && r.data.error ? r.data.error : null);
          return;
        }
        // A page past the end (e.g. after filters narrowed a shared link) goes to the last one.
        if (r.data.logs.length === 0 && r.data.total > 0 && r.data.page > r.data.totalPages) {
          navigate({ page: String(r.data.totalPages) }, false);
          return;
        }
        showPage(r.data);
      })
      .catch(function (e) {
        if (seq === requestSeq) showError(0, { code: 'network', message: String(e && e.message || e) });
      })
      .then(function () { if (seq === requestSeq) root.setAttribute('aria-busy', 'false'); });
  }

  function showError(status, error) {
    clear(ui.tbody);
    clear(ui.pager);
    ui.status.textContent = '';
    ui.tableWrap.hidden = true;
    ui.exportBtn.disabled = true;
    clear(ui.error);
    var heading = status === 403 ? '403 \u2014 Access denied'
      : status === 404 ? '404 \u2014 Not found'
      : status === 400 ? '400 \u2014 Invalid filter'
      : (status ? status + ' \u2014 Error' : 'Network error');
    ui.error.appendChild(el('strong', { text: heading }));
    var msg = error && error.message ? error.message
      : status === 403 ? 'You may not see the events of this service.' : 'The events could not be loaded.';
    ui.error.appendChild(el('p', { text: msg }));
    ui.error.setAttribute('data-status', String(status));
    ui.error.hidden = false;
  }

  function showPage(data) {
    ui.error.hidden = true;
    ui.tableWrap.hidden = false;
    ui.exportBtn.disabled = data.total === 0;
    clear(ui.tbody);
    var cols = serviceId ? 8 : 9;
    if (data.logs.length === 0) {
      ui.tbody.appendChild(el('tr', { class: 'se-empty' }, [el('td', { colspan: cols, text: 'No events match these filters.' })]));
    }
    data.logs.forEach(function (log) { appendRow(log, cols); });
    var first = data.total === 0 ? 0 : (data.page - 1) * data.perPage + 1;
    var last = Math.min(data.total, (data.page - 1) * data.perPage + data.logs.length);
    ui.status.textContent = '';
    ui.status.appendChild(el('span', { id: 'se-total', 'data-total': data.total, text: number(data.total) + (data.total === 1 ? ' event' : ' events') }));
    if (data.total > 0) ui.status.appendChild(document.createTextNode(' \u00b7 showing ' + number(first) + '\u2013' + number(last)));
    renderPager(data);
  }

  // ---- text from outside the panel -----------------------------------------
  // DJ names, titles, mounts and service names come from outside the panel.
  // Each is put in its own <bdi> (an isolate), so that a right-to-left
  // override in one (U+202E) cannot reorder the rest of its line.
  function userText(text, attrs) {
    return el('bdi', Object.assign({ text: text }, attrs || {}));
  }
  // A sentence of the library with the user-supplied values of its event isolated.
  function sentence(text, log) {
    var a = log.actor || {};
    var d = log.details || {};
    var values = [log.djName, a.name, log.serviceName, log.ownerName]
      .concat(Object.keys(d).map(function (k) { return d[k]; }))
      .filter(function (v) { return typeof v === 'string' && v !== '' && text.indexOf(v) >= 0; })
      .sort(function (x, y) { return y.length - x.length; });
    var nodes = [];
    var i = 0;
    while (i < text.length) {
      var at = -1;
      var value = null;
      values.forEach(function (v) {
        var found = text.indexOf(v, i);
        if (found >= 0 && (at < 0 || found < at)) { at = found; value = v; }
      });
      if (at < 0) at = text.length;
      if (at > i) nodes.push(document.createTextNode(text.slice(i, at)));
      if (value === null) break;
      nodes.push(userText(value));
      i = at + value.length;
    }
    return nodes;
  }
  // The raw JSON shows bidi controls as escapes: it is the raw view.
  function rawJson(log) {
    return JSON.stringify(log, null, 2).replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, function (c) {
      return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
    });
  }

  function actorCell(actor, djName) {
    actor = actor || {};
    var type = actor.type || 'system';
    var tag = actorLabel(type);
    var name = type === 'system' ? (actor.name || 'System') : (actor.name || (actor.id !== null && actor.id !== undefined ? '#' + actor.id : ''));
    return el('span', { class: 'se-actor se-actor-' + type, title: tag + (actor.id !== null && actor.id !== undefined ? ' #' + actor.id : '') }, [
      el('span', { class: 'se-actor-tag', text: tag }),
      // A DJ acting as himself is named in the DJ column already.
      (type === 'system' && name === 'System') || (type === 'dj' && name === djName) ? null
        : userText(name, { class: 'se-actor-name' })
    ]);
  }

  function appendRow(log, cols) {
    var ms = logMs(log);
    var actorType = (log.actor && log.actor.type) || 'system';
    var tr = el('tr', { class: 'se-row se-row-' + actorType, 'data-id': log.id, 'data-type': log.type });
    var toggle = el('button', { type: 'button', class: 'se-toggle', 'aria-expanded': 'false', 'aria-label': 'Show details', text: '\u25b8' });
    tr.appendChild(el('td', { class: 'se-col-toggle' }, [toggle]));
    tr.appendChild(el('td', { class: 'se-time' }, [
      el('time', { datetime: new Date(ms).toISOString(), title: utcString(ms), text: fmtShort.format(new Date(ms)) })
    ]));
    tr.appendChild(el('td', { class: 'se-event' }, [
      el('span', { class: 'se-label', text: log.typeLabel || log.type }),
      el('span', { class: 'se-badge se-cat-' + log.category, text: CATEGORY_LABEL[log.category] || log.category })
    ]));
    if (!serviceId) {
      var svcName = log.serviceName || ('Service #' + log.serviceId);
      tr.appendChild(el('td', { class: 'se-service' }, [
        log.serviceId !== null && log.serviceId !== undefined
          ? el('a', { href: config.pagesBase + '/services/' + encodeURIComponent(log.serviceId) + '/stream-events' }, [userText(svcName)])
          : el('span', { text: '\u2014' }),
        log.ownerName ? userText(log.ownerName, { class: 'se-owner' }) : null
      ]));
    }
    tr.appendChild(el('td', { class: 'se-actor-cell' }, [actorCell(log.actor, log.djName)]));
    tr.appendChild(el('td', { class: 'se-dj' }, [log.djName ? userText(log.djName) : null]));
    tr.appendChild(el('td', { class: 'se-ip', text: log.sourceIp || '' }));
    tr.appendChild(el('td', { class: 'se-takeover' }, [log.takeover ? el('span', { class: 'se-pill se-pill-takeover', text: 'Takeover' }) : null]));
    tr.appendChild(el('td', { class: 'se-message' }, sentence(log.message || '', log)));

    var details = el('tr', { class: 'se-details', hidden: true });
    var cell = el('td', { colspan: cols });
    details.appendChild(cell);
    var filled = false;
    function setOpen(open) {
      if (open && !filled) { fillDetails(cell, log, ms); filled = true; }
      details.hidden = !open;
      tr.classList.toggle('se-open', open);
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      toggle.textContent = open ? '\u25be' : '\u25b8';
    }
    tr.addEventListener('click', function (e) {
      if (e.target.closest('a')) return;
      setOpen(details.hidden);
    });
    ui.tbody.appendChild(tr);
    ui.tbody.appendChild(details);
  }

  function fillDetails(cell, log, ms) {
    var dl = el('dl', { class: 'se-dl' });
    // v: a value (shown isolated), or a list of them and nodes
    function item(k, v) {
      if (v === null || v === undefined || v === '') return;
      var parts = Array.isArray(v) && v.some(function (x) { return x instanceof Node; }) ? v : [v];
      dl.appendChild(el('dt', { text: k }));
      dl.appendChild(el('dd', null, parts.map(function (x) {
        return x instanceof Node ? x : userText(typeof x === 'object' ? JSON.stringify(x) : String(x));
      })));
    }
    function idOf(id) { return id !== null && id !== undefined ? ' #' + id : ''; }
    item('Event id', log.id);
    item('Type', log.type + ' (' + (log.typeLabel || '') + ')');
    item('Time (UTC)', log.time || new Date(ms).toISOString());
    item('Time (' + timeZone + ')', fmtLocal.format(new Date(ms)));
    if (log.serviceId !== null && log.serviceId !== undefined) {
      item('Service', [userText(log.serviceName || ''), document.createTextNode(idOf(log.serviceId))]);
    }
    if (log.ownerId !== null && log.ownerId !== undefined) {
      item('Owner', [userText(log.ownerName || ''), document.createTextNode(idOf(log.ownerId))]);
    }
    var a = log.actor || {};
    item('Actor', [document.createTextNode((a.type || '') + ' '), userText(a.name || ''), document.createTextNode(idOf(a.id))]);
    item('DJ', log.djName);
    item('Source IP', log.sourceIp);
    item('Takeover', log.takeover ? 'yes' : 'no');
    var d = log.details || {};
    Object.keys(d).forEach(function (k) { item('details.' + k, d[k]); });
    if (log.message) item('Message', sentence(log.message, log));
    cell.appendChild(dl);
    cell.appendChild(el('details', { class: 'se-raw' }, [
      el('summary', { text: 'Raw event (JSON)' }),
      el('pre', { text: rawJson(log) })
    ]));
  }

  function renderPager(data) {
    clear(ui.pager);
    var total = Math.max(1, data.totalPages || 1);
    function btn(label, page, id, disabled) {
      return el('button', {
        type: 'button', class: 'se-btn se-btn-plain', id: id, text: label, disabled: disabled,
        onclick: function () { navigate({ page: String(page) }, false); window.scrollTo(0, 0); }
      });
    }
    ui.pager.appendChild(btn('\u00ab First', 1, 'se-first', data.page <= 1));
    ui.pager.appendChild(btn('\u2039 Previous', data.page - 1, 'se-prev', data.page <= 1));
    ui.pager.appendChild(el('span', {
      class: 'se-page-info', id: 'se-page-info', 'data-page': data.page, 'data-pages': total,
      text: 'Page ' + number(data.page) + ' of ' + number(total)
    }));
    ui.pager.appendChild(btn('Next \u203a', data.page + 1, 'se-next', data.page >= total));
    ui.pager.appendChild(btn('Last \u00bb', total, 'se-last', data.page >= total));
    var per = el('select', { id: 'se-per-page', 'aria-label': 'Events per page' });
    PER_PAGE.concat(PER_PAGE.indexOf(data.perPage) < 0 ? [data.perPage] : []).forEach(function (n) {
      per.appendChild(option(String(n), n + ' per page', n === data.perPage));
    });
    per.addEventListener('change', function () { navigate({ perPage: per.value }, true); });
    ui.pager.appendChild(per);
  }

  // ---- export ------------------------------------------------------------
  // A plain download of the API's CSV for the current filters (all pages):
  // the browser streams it to disk, signed in by the session (or demo) cookie.
  function exportCsv() {
    var a = el('a', { href: exportUrl(state), download: '', hidden: true });
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  window.addEventListener('popstate', function () { state = readState(); render(); });
  state = readState();
  build();
  render();
}());
