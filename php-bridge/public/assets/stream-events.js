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

  var CATALOG = [
    ['service', 'Service', [
      ['service.start', 'Start'], ['service.stop', 'Stop'], ['service.restart', 'Restart'],
      ['service.suspend', 'Suspend'], ['service.unsuspend', 'Unsuspend'], ['service.remove', 'Remove'],
      ['service.config_update', 'Config Update'], ['service.title_update', 'Song Title Update'],
      ['service.bitrate_warning', 'Bitrate Abuse Warning']]],
    ['mount', 'Mount', [['mount.connect', 'Mount Connect'], ['mount.disconnect', 'Mount Disconnect']]],
    ['dj', 'DJ', [['dj.connect', 'DJ Connect'], ['dj.disconnect', 'DJ Disconnect'],
      ['dj.on_air', 'DJ On Air'], ['dj.kicked', 'DJ Kicked']]],
    ['source', 'Source', [['source.start', 'Source Start'], ['source.stop', 'Source Stop'],
      ['source.restart', 'Source Restart']]],
    ['autodj', 'AutoDJ', [['autodj.on_air', 'AutoDJ On Air']]]
  ];
  var TABS = [['all', 'All Events']].concat(CATALOG.map(function (c) { return [c[0], c[1]]; }));
  var CATEGORY_LABEL = {};
  CATALOG.forEach(function (c) { CATEGORY_LABEL[c[0]] = c[1]; });
  var ACTORS = [['', 'Any actor'], ['user', 'User'], ['dj', 'DJ'], ['api', 'API'], ['system', 'System']];
  var PER_PAGE = [25, 50, 100, 200];

  var config = JSON.parse(document.getElementById('se-config').textContent);
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

  // ---- sign-in (demo only; the panel's own session cookie otherwise) -----
  // The demo switcher keeps its token in the cookie the demo server also
  // accepts, so downloads (plain navigations) are signed in too; API calls
  // send it as a bearer token like any API client.
  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }
  function setDemoToken(token) {
    document.cookie = config.demoCookie + '=' + encodeURIComponent(token) + '; path=/; SameSite=Lax';
  }
  function demoToken() {
    if (!config.demo) return null;
    var t = readCookie(config.demoCookie);
    var known = config.demoUsers.some(function (u) { return u.token === t; });
    if (!known) { t = config.demoUsers[0].token; setDemoToken(t); }
    return t;
  }
  function currentDemoUser() {
    var t = demoToken();
    return config.demoUsers.filter(function (u) { return u.token === t; })[0] || null;
  }
  function authHeaders() {
    var t = demoToken();
    var h = { Accept: 'application/json' };
    if (t) h.Authorization = 'Bearer ' + t;
    return h;
  }

  // ---- URL state ---------------------------------------------------------
  var DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
  function readState() {
    var p = new URLSearchParams(window.location.search);
    var category = p.get('category') || 'all';
    if (!TABS.some(function (t) { return t[0] === category; })) category = 'all';
    var perPage = parseInt(p.get('per_page') || '25', 10);
    return {
      category: category,
      type: p.get('type') || '',
      actor: p.get('actor') || '',
      from: DATE_RE.test(p.get('from') || '') ? p.get('from') : '',
      to: DATE_RE.test(p.get('to') || '') ? p.get('to') : '',
      q: p.get('q') || '',
      page: Math.max(1, parseInt(p.get('page') || '1', 10) || 1),
      perPage: PER_PAGE.indexOf(perPage) >= 0 ? perPage : 25
    };
  }
  function stateToPageQuery(s) {
    var p = new URLSearchParams();
    if (s.category !== 'all') p.set('category', s.category);
    if (s.type) p.set('type', s.type);
    if (s.actor) p.set('actor', s.actor);
    if (s.from) p.set('from', s.from);
    if (s.to) p.set('to', s.to);
    if (s.q) p.set('q', s.q);
    if (s.page > 1) p.set('page', String(s.page));
    if (s.perPage !== 25) p.set('per_page', String(s.perPage));
    return p;
  }
  // The date inputs are days in the viewer's time zone: from = that day's
  // local midnight (inclusive), to = the next day's local midnight (exclusive).
  function localMidnightMs(day, addDays) {
    var parts = day.split('-').map(Number);
    return new Date(parts[0], parts[1] - 1, parts[2] + addDays).getTime();
  }
  function stateToApiQuery(s) {
    var p = new URLSearchParams();
    if (s.category !== 'all') p.set('category', s.category);
    if (s.type) p.set('type', s.type);
    if (s.actor) p.set('actor', s.actor);
    if (s.from) p.set('from', String(localMidnightMs(s.from, 0)));
    if (s.to) p.set('to', String(localMidnightMs(s.to, 1)));
    if (s.q) p.set('q', s.q);
    p.set('page', String(s.page));
    p.set('per_page', String(s.perPage));
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
    if (resetPage) next.page = 1;
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
    if (config.demo) root.appendChild(buildDemoBanner());
    var shell = el('div', { class: 'se-shell' });
    ui.menu = el('nav', { class: 'se-menu', 'aria-label': 'Panel menu' });
    var main = el('main', { class: 'se-main' });
    shell.appendChild(ui.menu);
    shell.appendChild(main);
    root.appendChild(shell);

    ui.title = el('h1', { class: 'se-title' });
    ui.subtitle = el('p', { class: 'se-subtitle' });
    main.appendChild(el('header', { class: 'se-head' }, [ui.title, ui.subtitle]));

    ui.tabs = el('div', { class: 'se-tabs', role: 'tablist', 'aria-label': 'Event category' });
    TABS.forEach(function (t) {
      ui.tabs.appendChild(el('button', {
        type: 'button', role: 'tab', class: 'se-tab', 'data-category': t[0], text: t[1],
        onclick: function () { navigate({ category: t[0] }, true); }
      }));
    });
    main.appendChild(ui.tabs);

    ui.from = el('input', { type: 'date', id: 'se-from', name: 'from' });
    ui.to = el('input', { type: 'date', id: 'se-to', name: 'to' });
    ui.type = el('select', { id: 'se-type', name: 'type' });
    ui.actor = el('select', { id: 'se-actor', name: 'actor' });
    ACTORS.forEach(function (a) { ui.actor.appendChild(option(a[0], a[1])); });
    ui.q = el('input', { type: 'search', id: 'se-q', name: 'q', placeholder: 'DJ, IP or message', autocomplete: 'off' });
    ui.from.addEventListener('change', function () { navigate({ from: ui.from.value }, true); });
    ui.to.addEventListener('change', function () { navigate({ to: ui.to.value }, true); });
    ui.type.addEventListener('change', function () { navigate({ type: ui.type.value }, true); });
    ui.actor.addEventListener('change', function () { navigate({ actor: ui.actor.value }, true); });
    ui.q.addEventListener('change', function () { navigate({ q: ui.q.value.trim() }, true); });
    ui.reset = el('button', {
      type: 'button', class: 'se-btn se-btn-plain', id: 'se-reset', text: 'Clear filters',
      onclick: function () { navigate({ category: 'all', type: '', actor: '', from: '', to: '', q: '' }, true); }
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

  function buildDemoBanner() {
    var current = currentDemoUser();
    var select = el('select', { id: 'se-demo-user', 'aria-label': 'Signed in as' });
    config.demoUsers.forEach(function (u) {
      select.appendChild(option(u.token, u.label, current && u.token === current.token));
    });
    select.addEventListener('change', function () {
      setDemoToken(select.value);
      window.location.reload();
    });
    return el('div', { class: 'se-demo', id: 'se-demo-banner', role: 'note' }, [
      el('strong', { text: 'Demo mode' }),
      el('span', { text: ' \u2014 sign-in is simulated by the demo server; data is generated. Signed in as ' }),
      select
    ]);
  }

  function buildHead() {
    var cols = ['', 'Time (' + timeZone + ')', 'Event'];
    if (!serviceId) cols.push('Service');
    cols = cols.concat(['Actor', 'DJ', 'Source IP', 'Takeover', 'Message']);
    var tr = el('tr');
    cols.forEach(function (c, i) { tr.appendChild(el('th', { scope: 'col', text: c, class: i === 0 ? 'se-col-toggle' : null })); });
    ui.thead.appendChild(tr);
  }

  // ---- the side menu (demo stand-in for the panel's own menu) ------------
  function visibleServices() {
    var user = currentDemoUser();
    var services = config.services || [];
    if (!user || user.role === 'admin') return services;
    var accounts = config.accounts || [];
    return services.filter(function (s) {
      if (s.ownerId === user.id) return true;
      if (user.role !== 'reseller') return false;
      return accounts.some(function (a) { return a.id === s.ownerId && a.resellerId === user.id; });
    });
  }
  function renderMenu() {
    clear(ui.menu);
    var list = el('ul');
    list.appendChild(el('li', { class: serviceId ? null : 'se-active' }, [
      el('a', { href: config.pagesBase + '/stream-events', text: 'Stream Events (all services)' })
    ]));
    var services = visibleServices();
    if (services.length) {
      ui.menu.appendChild(list);
      ui.menu.appendChild(el('h2', { text: 'Services' }));
      list = el('ul');
    }
    services.forEach(function (s) {
      var active = serviceId === s.id;
      list.appendChild(el('li', { class: active ? 'se-active' : null }, [
        el('div', { class: 'se-menu-service' }, [
          el('span', { text: s.name }),
          s.status && s.status !== 'active' ? el('span', { class: 'se-pill se-status-' + s.status, text: s.status }) : null
        ]),
        el('a', { href: config.pagesBase + '/services/' + s.id + '/stream-events', class: 'se-menu-sub', text: 'Stream Events' })
      ]));
    });
    ui.menu.appendChild(list);
  }

  // Only a service the signed-in account may see is named (the demo menu knows all of them).
  function serviceInfo(id) {
    return visibleServices().filter(function (s) { return s.id === id; })[0] || null;
  }

  // ---- rendering a view --------------------------------------------------
  function render() {
    renderMenu();
    var info = serviceId ? serviceInfo(serviceId) : null;
    clear(ui.title);
    ui.title.appendChild(document.createTextNode(serviceId ? 'Stream Events \u2014 ' + (info ? info.name : 'Service #' + serviceId) : 'Stream Events'));
    if (info && info.status && info.status !== 'active') {
      ui.title.appendChild(el('span', { class: 'se-pill se-status-' + info.status, text: info.status }));
    }
    var user = currentDemoUser();
    ui.subtitle.textContent = serviceId
      ? 'Everything that happened on this service' + (info ? ' (' + info.kind + ')' : '') + ', newest first.'
      : (user && user.role !== 'admin' ? 'Events of the services you can see' : 'Events across the whole panel') + ', newest first.';
    document.title = ui.title.textContent;

    Array.prototype.forEach.call(ui.tabs.children, function (b) {
      var on = b.getAttribute('data-category') === state.category;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.classList.toggle('se-tab-active', on);
    });
    clear(ui.type);
    ui.type.appendChild(option('', 'Any type'));
    CATALOG.forEach(function (c) {
      if (state.category !== 'all' && state.category !== c[0]) return;
      var group = el('optgroup', { label: c[1] });
      c[2].forEach(function (t) { group.appendChild(option(t[0], t[1], t[0] === state.type)); });
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
        if (r.data.logs.length === 0 && r.data.total > 0 && state.page > r.data.totalPages) {
          navigate({ page: r.data.totalPages }, false);
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

  function actorCell(actor, djName) {
    actor = actor || {};
    var type = actor.type || 'system';
    var tag = { user: 'User', dj: 'DJ', api: 'API', system: 'System' }[type] || type;
    var name = type === 'system' ? (actor.name || 'System') : (actor.name || (actor.id !== null && actor.id !== undefined ? '#' + actor.id : ''));
    return el('span', { class: 'se-actor se-actor-' + type, title: tag + (actor.id !== null && actor.id !== undefined ? ' #' + actor.id : '') }, [
      el('span', { class: 'se-actor-tag', text: tag }),
      // A DJ acting as himself is named in the DJ column already.
      (type === 'system' && name === 'System') || (type === 'dj' && name === djName) ? null
        : el('span', { class: 'se-actor-name', text: name })
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
          ? el('a', { href: config.pagesBase + '/services/' + encodeURIComponent(log.serviceId) + '/stream-events', text: svcName })
          : el('span', { text: '\u2014' }),
        log.ownerName ? el('span', { class: 'se-owner', text: log.ownerName }) : null
      ]));
    }
    tr.appendChild(el('td', { class: 'se-actor-cell' }, [actorCell(log.actor, log.djName)]));
    tr.appendChild(el('td', { class: 'se-dj', text: log.djName || '' }));
    tr.appendChild(el('td', { class: 'se-ip', text: log.sourceIp || '' }));
    tr.appendChild(el('td', { class: 'se-takeover' }, [log.takeover ? el('span', { class: 'se-pill se-pill-takeover', text: 'Takeover' }) : null]));
    tr.appendChild(el('td', { class: 'se-message', text: log.message || '' }));

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
    function item(k, v) {
      if (v === null || v === undefined || v === '') return;
      dl.appendChild(el('dt', { text: k }));
      dl.appendChild(el('dd', { text: typeof v === 'object' ? JSON.stringify(v) : String(v) }));
    }
    item('Event id', log.id);
    item('Type', log.type + ' (' + (log.typeLabel || '') + ')');
    item('Time (UTC)', log.time || new Date(ms).toISOString());
    item('Time (' + timeZone + ')', fmtLocal.format(new Date(ms)));
    if (log.serviceId !== null && log.serviceId !== undefined) item('Service', (log.serviceName || '') + ' #' + log.serviceId);
    if (log.ownerId !== null && log.ownerId !== undefined) item('Owner', (log.ownerName || '') + ' #' + log.ownerId);
    var a = log.actor || {};
    item('Actor', [a.type, a.name, a.id !== null && a.id !== undefined ? '#' + a.id : null].filter(Boolean).join(' '));
    item('DJ', log.djName);
    item('Source IP', log.sourceIp);
    item('Takeover', log.takeover ? 'yes' : 'no');
    var d = log.details || {};
    Object.keys(d).forEach(function (k) { item('details.' + k, d[k]); });
    item('Message', log.message);
    cell.appendChild(dl);
    cell.appendChild(el('details', { class: 'se-raw' }, [
      el('summary', { text: 'Raw event (JSON)' }),
      el('pre', { text: JSON.stringify(log, null, 2) })
    ]));
  }

  function renderPager(data) {
    clear(ui.pager);
    var total = Math.max(1, data.totalPages || 1);
    function btn(label, page, id, disabled) {
      return el('button', {
        type: 'button', class: 'se-btn se-btn-plain', id: id, text: label, disabled: disabled,
        onclick: function () { navigate({ page: page }, false); window.scrollTo(0, 0); }
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
    PER_PAGE.forEach(function (n) { per.appendChild(option(String(n), n + ' per page', n === data.perPage)); });
    per.addEventListener('change', function () { navigate({ perPage: parseInt(per.value, 10) }, true); });
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
