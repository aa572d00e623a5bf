/*
 * Stream Events page: global view (/stream-events) and one service's view
 * (/services/{id}/stream-events), a fragment inside the panel's own layout.
 * Plain JS, no build step, no dependencies.
 *
 * Everything comes from the same JSON API the controller serves
 * (/controller/EventLog[/{id}]); filter state lives in the page URL so that a
 * reload or a shared link shows the same view. Every word comes from the
 * strings catalog in the config (public/assets/i18n/<language>.json). Data is
 * only ever put into the DOM with textContent / attributes (never innerHTML):
 * DJ names, titles and mount names come from outside the panel.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('se-config').textContent);
  // The event catalog comes from the library (el_catalog), embedded by the page controller.
  var catalog = config.catalog;
  var STRINGS = config.strings || {};
  var LANG = config.language || 'en';
  var TYPE = {};
  catalog.types.forEach(function (t) { TYPE[t.id] = t; });
  var TABS = ['all'].concat(catalog.categories.map(function (c) { return c.id; }));
  var PER_PAGE = [25, 50, 100, 200];
  var PRESETS = { today: 0, '24h': 1, '7d': 7, '30d': 30 };
  var DAY = 86400000;
  // A host page script may set window.StreamEventsHost before this one runs:
  // requestHeaders() for API calls (a CSRF token, a bearer token).
  var host = window.StreamEventsHost || {};

  var root = document.getElementById('se-app');
  var serviceId = config.serviceId || null;
  // The services the panel says the viewer may see (null: it gives none): pickers, names, status labels.
  var services = config.services || null;
  var SERVICE = {};
  (services || []).forEach(function (s) { SERVICE[s.id] = s; });
  var requestSeq = 0;
  var state;

  // ---- words -------------------------------------------------------------
  var plurals = new Intl.PluralRules(LANG);
  var numberFormat = new Intl.NumberFormat(LANG);
  function number(n) { return numberFormat.format(n); }
  function has(key) { return typeof STRINGS[key] === 'string'; }
  // A template with its {placeholders} filled: as text, or as nodes when values are nodes.
  function parts(key, values) {
    var out = [];
    String(has(key) ? STRINGS[key] : key).split(/(\{[A-Za-z]+\})/).forEach(function (piece) {
      var m = /^\{([A-Za-z]+)\}$/.exec(piece);
      var v = m ? (values || {})[m[1]] : piece;
      if (v === undefined || v === null) v = m ? piece : '';
      (Array.isArray(v) ? v : [v]).forEach(function (x) {
        if (x !== '') out.push(x instanceof Node ? x : document.createTextNode(String(x)));
      });
    });
    return out;
  }
  function t(key, values) {
    return parts(key, values).map(function (n) { return n.textContent; }).join('');
  }
  function tCount(key, n) {
    var form = key + '.' + plurals.select(n);
    return t(has(form) ? form : key + '.other', { n: number(n) });
  }
  function typeLabel(id) { return has('type.' + id) ? t('type.' + id) : (TYPE[id] ? TYPE[id].label : id); }
  function categoryLabel(id) {
    if (has('category.' + id)) return t('category.' + id);
    var c = catalog.categories.filter(function (x) { return x.id === id; })[0];
    return c ? c.label : id;
  }
  function actorLabel(type) { return has('actor.' + type) ? t('actor.' + type) : type; }
  function statusLabel(status) { return has('status.' + status) ? t('status.' + status) : status; }

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
  function pill(status) {
    return el('span', { class: 'se-pill se-status-' + status, text: statusLabel(status) });
  }

  function authHeaders() {
    return Object.assign({ Accept: 'application/json' }, host.requestHeaders ? host.requestHeaders() : {});
  }

  // ---- URL state ---------------------------------------------------------
  // The page URL's parameters are the API's: they go to the server as they
  // are, and the server (the library) judges them, so a bad one shows the
  // server's error. The page resolves only its own: a time preset (range)
  // and the customer picker; the date inputs' days become the viewer's
  // local midnights on the way.
  var PARAMS = ['category', 'type', 'service_id', 'customer_id', 'actor', 'range', 'from', 'to', 'q', 'page', 'per_page'];
  var PAGE_ONLY = ['range'];
  var DEFAULTS = { category: 'all', page: '1', per_page: '25' };
  function readState() {
    var p = new URLSearchParams(window.location.search);
    var s = { other: [] };
    PARAMS.forEach(function (k) { s[k] = p.getAll(k).join(',') || DEFAULTS[k] || ''; });
    p.forEach(function (v, k) { if (PARAMS.indexOf(k) < 0) s.other.push([k, v]); });
    return s;
  }
  function stateToPageQuery(s) {
    var p = new URLSearchParams();
    PARAMS.forEach(function (k) { if (s[k] && s[k] !== DEFAULTS[k]) p.set(k, s[k]); });
    s.other.forEach(function (kv) { p.append(kv[0], kv[1]); });
    return p;
  }
  function typesOf(s) { return s.type ? s.type.split(',') : []; }
  // A calendar day as the viewer's local midnight (ms), or null when it is not one.
  function localMidnightMs(day, addDays) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!m) return null;
    var d = new Date(+m[1], m[2] - 1, +m[3]);
    if (d.getFullYear() !== +m[1] || d.getMonth() !== m[2] - 1 || d.getDate() !== +m[3]) return null;
    d.setDate(d.getDate() + addDays);
    return d.getTime();
  }
  // The start of a preset: today's local midnight, or that many days back from now.
  function presetFromMs(range) {
    if (!Object.prototype.hasOwnProperty.call(PRESETS, range)) return null;
    if (range === 'today') { var d = new Date(); d.setHours(0, 0, 0, 0); return d.getTime(); }
    return Date.now() - PRESETS[range] * DAY;
  }
  function stateToApiQuery(s) {
    var p = stateToPageQuery(s);
    PAGE_ONLY.forEach(function (k) { p.delete(k); });
    // from: that day's local midnight (inclusive); to: the next day's (exclusive).
    [['from', 0], ['to', 1]].forEach(function (f) {
      var ms = s[f[0]] ? localMidnightMs(s[f[0]], f[1]) : null;
      if (ms !== null) p.set(f[0], String(ms));
    });
    var since = presetFromMs(s.range);
    if (since !== null) { p.set('from', String(since)); p.delete('to'); }
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
    if (resetPage) next.page = '1';
    // Types outside the chosen category, and a service outside the chosen customer, go.
    if (next.category !== 'all') {
      next.type = typesOf(next).filter(function (id) { return TYPE[id] && TYPE[id].category === next.category; }).join(',');
    }
    if (next.customer_id && next.service_id && SERVICE[next.service_id] && String(SERVICE[next.service_id].ownerId) !== next.customer_id) {
      next.service_id = '';
    }
    var q = stateToPageQuery(next).toString();
    state = next;
    // The same view again (Enter after a search's change) adds no history entry.
    if ('?' + q === window.location.search || (q === '' && window.location.search === '')) return;
    window.history.pushState(null, '', window.location.pathname + (q ? '?' + q : ''));
    render();
  }

  // ---- time --------------------------------------------------------------
  var fmtLong = new Intl.DateTimeFormat(LANG, {
    year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  // The row's absolute line leaves the year out (the retention window is short; hover and details carry it).
  var fmtShort = new Intl.DateTimeFormat(LANG, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  var fmtRelative = new Intl.RelativeTimeFormat(LANG, { numeric: 'auto' });
  var timeZone = (Intl.DateTimeFormat().resolvedOptions().timeZone) || 'local';
  var viewerInUtc = /^(Etc\/)?(UTC|UCT|GMT|Universal|Zulu)$/.test(timeZone);
  function utcString(ms) { return new Date(ms).toISOString().replace('.000Z', 'Z'); }
  function logMs(log) { return typeof log.timestamp === 'number' ? log.timestamp : Date.parse(log.time); }
  function relative(ms) {
    var s = (ms - Date.now()) / 1000;
    var a = Math.abs(s);
    if (a < 45) return fmtRelative.format(0, 'second');
    if (a < 45 * 60) return fmtRelative.format(Math.round(s / 60), 'minute');
    if (a < 22 * 3600) return fmtRelative.format(Math.round(s / 3600), 'hour');
    return fmtRelative.format(Math.round(s / 86400), 'day');
  }
  function timeNode(ms) {
    return el('time', {
      datetime: new Date(ms).toISOString(), 'data-ms': ms,
      title: fmtLong.format(new Date(ms)) + ' (' + timeZone + ') \u00b7 ' + utcString(ms) + ' (UTC)'
    }, [el('span', { class: 'se-rel', text: relative(ms) }), el('span', { class: 'se-abs', text: fmtShort.format(new Date(ms)) })]);
  }
  // "5 minutes ago" grows older while the page is open.
  window.setInterval(function () {
    Array.prototype.forEach.call(root.querySelectorAll('time[data-ms] .se-rel'), function (n) {
      n.textContent = relative(+n.parentNode.getAttribute('data-ms'));
    });
  }, 30000);

  // ---- layout (built once) -----------------------------------------------
  var ui = {};
  function build() {
    clear(root);
    ui.skip = el('a', { class: 'se-skip', href: '#se-results', text: t('page.skip'), onclick: function (e) {
      e.preventDefault(); // no #fragment in the URL: it would be a history entry of its own
      ui.tableWrap.focus();
      ui.tableWrap.scrollIntoView();
    } });
    root.appendChild(ui.skip);

    ui.title = el('h1', { class: 'se-title', id: 'se-title' });
    ui.subtitle = el('p', { class: 'se-subtitle' });
    ui.retention = config.retentionDays ? el('p', { class: 'se-retention', text: tCount('page.retention', config.retentionDays) }) : null;
    root.appendChild(el('header', { class: 'se-head' }, [ui.title, ui.subtitle, ui.retention]));

    ui.tabs = el('div', { class: 'se-tabs', role: 'tablist', 'aria-label': t('page.tabs'), onkeydown: tabKeys });
    TABS.forEach(function (id) {
      ui.tabs.appendChild(el('button', {
        type: 'button', role: 'tab', class: 'se-tab', id: 'se-tab-' + id, 'data-category': id, text: categoryLabel(id),
        'aria-controls': 'se-panel', onclick: function () { navigate({ category: id }, true); }
      }));
    });
    root.appendChild(ui.tabs);
    ui.panel = el('div', { class: 'se-panel', id: 'se-panel', role: 'tabpanel' });
    root.appendChild(ui.panel);

    buildFilters();

    ui.status = el('div', { class: 'se-status', role: 'status', 'aria-live': 'polite' });
    ui.error = el('div', { class: 'se-error', role: 'alert', hidden: true });
    ui.live = el('div', { class: 'se-live-slot' }); // stream-events-live.js's place
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.live);
    ui.panel.appendChild(ui.error);

    ui.table = el('table', { class: 'se-table', 'aria-labelledby': 'se-title' });
    ui.thead = el('thead');
    ui.tbody = el('tbody');
    ui.table.appendChild(ui.thead);
    ui.table.appendChild(ui.tbody);
    ui.tableWrap = el('div', { class: 'se-table-wrap', id: 'se-results', tabindex: '-1' }, [ui.table]);
    ui.panel.appendChild(ui.tableWrap);

    ui.pager = el('nav', { class: 'se-pager', 'aria-label': t('page.pages') });
    ui.panel.appendChild(ui.pager);
    buildHead();
  }

  // Arrow keys, Home and End move between the tabs (and choose them), as in a tab list.
  function tabKeys(e) {
    var tabs = Array.prototype.slice.call(ui.tabs.children);
    var at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    to = (to + tabs.length) % tabs.length;
    tabs[to].focus();
    navigate({ category: tabs[to].getAttribute('data-category') }, true);
  }

  function field(label, input, cls) {
    return el('div', { class: 'se-field' + (cls ? ' ' + cls : '') }, [el('label', { for: input.id, text: label }), input]);
  }

  function buildFilters() {
    ui.from = el('input', { type: 'date', id: 'se-from', name: 'from' });
    ui.to = el('input', { type: 'date', id: 'se-to', name: 'to' });
    ui.from.addEventListener('change', function () { navigate({ from: ui.from.value, range: '' }, true); });
    ui.to.addEventListener('change', function () { navigate({ to: ui.to.value, range: '' }, true); });
    ui.presets = el('div', { class: 'se-presets', role: 'group', 'aria-label': t('page.presets') });
    Object.keys(PRESETS).forEach(function (id) {
      ui.presets.appendChild(el('button', {
        type: 'button', class: 'se-preset', 'data-range': id, text: t('page.preset.' + id),
        onclick: function () { navigate({ range: state.range === id ? '' : id, from: '', to: '' }, true); }
      }));
    });

    ui.actor = el('select', { id: 'se-actor', name: 'actor' });
    ui.actor.appendChild(option('', t('page.actorAny')));
    catalog.actorTypes.forEach(function (a) { ui.actor.appendChild(option(a, actorLabel(a))); });
    ui.actor.addEventListener('change', function () { navigate({ actor: ui.actor.value }, true); });

    ui.q = el('input', { type: 'search', id: 'se-q', name: 'q', placeholder: t('page.searchPlaceholder'), autocomplete: 'off' });
    ui.q.addEventListener('change', function () { navigate({ q: ui.q.value.trim() }, true); });

    ui.reset = el('button', {
      type: 'button', class: 'se-btn se-btn-plain', id: 'se-reset', text: t('page.clear'),
      onclick: function () {
        navigate({ category: 'all', type: '', service_id: '', customer_id: '', actor: '', range: '', from: '', to: '', q: '', per_page: '', other: [] }, true);
      }
    });
    ui.exportBtn = el('button', { type: 'button', class: 'se-btn se-btn-primary', id: 'se-export', text: t('page.export'), onclick: exportCsv });

    var fields = [
      el('div', { class: 'se-field se-field-range' }, [
        el('span', { class: 'se-field-label', id: 'se-range-label', text: t('page.presets') }), ui.presets
      ]),
      field(t('page.from'), ui.from), field(t('page.to'), ui.to), buildTypes(), field(t('page.actor'), ui.actor)
    ];
    fields = fields.concat(buildScopePickers());
    fields.push(field(t('page.search'), ui.q, 'se-field-q'));
    fields.push(el('div', { class: 'se-filter-actions' }, [ui.reset, ui.exportBtn]));
    // On a phone the filters fold away behind this button (the search stays); CSS hides it on wider screens.
    ui.filtersToggle = el('button', {
      type: 'button', class: 'se-btn se-btn-plain se-filters-toggle', id: 'se-filters-toggle', 'aria-expanded': 'false',
      'aria-controls': 'se-filters', text: t('page.filters'),
      onclick: function () {
        var open = ui.filtersToggle.getAttribute('aria-expanded') !== 'true';
        ui.filtersToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
        ui.filters.setAttribute('data-folded', open ? 'false' : 'true');
      }
    });
    ui.filters = el('form', {
      class: 'se-filters', id: 'se-filters', 'aria-label': t('page.filters'), role: 'search', 'data-folded': 'true',
      onsubmit: function (e) { e.preventDefault(); navigate({ q: ui.q.value.trim() }, true); }
    }, [ui.filtersToggle].concat(fields));
    ui.panel.appendChild(ui.filters);
  }

  // Several types at once: a drop-down of check boxes, one group per category.
  function buildTypes() {
    ui.typesSummary = el('summary', { class: 'se-types-summary', id: 'se-types-summary' });
    ui.typeGroups = {};
    ui.typeBoxes = [];
    var panel = el('div', { class: 'se-types-panel' });
    catalog.categories.forEach(function (c) {
      var group = el('fieldset', { class: 'se-types-group', 'data-category': c.id }, [el('legend', { text: categoryLabel(c.id) })]);
      catalog.types.forEach(function (ty) {
        if (ty.category !== c.id) return;
        var box = el('input', { type: 'checkbox', value: ty.id, id: 'se-type-' + ty.id.replace(/[^a-z0-9]/g, '-') });
        box.addEventListener('change', function () {
          navigate({ type: ui.typeBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }).join(',') }, true);
        });
        ui.typeBoxes.push(box);
        group.appendChild(el('div', { class: 'se-check' }, [box, el('label', { for: box.id, text: typeLabel(ty.id) })]));
      });
      ui.typeGroups[c.id] = group;
      panel.appendChild(group);
    });
    ui.types = el('details', { class: 'se-types', id: 'se-types' }, [ui.typesSummary, panel]);
    ui.types.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && ui.types.open) { ui.types.open = false; ui.typesSummary.focus(); }
    });
    document.addEventListener('click', function (e) { if (ui.types.open && !ui.types.contains(e.target)) ui.types.open = false; });
    return el('div', { class: 'se-field se-field-types' }, [el('span', { class: 'se-field-label', text: t('page.types') }), ui.types]);
  }

  // The global view's service picker (and, with several customers, a customer picker that narrows it).
  function buildScopePickers() {
    if (serviceId || !services || services.length < 2) return [];
    var out = [];
    var owners = {};
    services.forEach(function (s) { if (s.ownerId !== undefined && s.ownerId !== null) owners[s.ownerId] = s.ownerName || ('#' + s.ownerId); });
    ui.owners = owners;
    if (config.role !== 'customer' && Object.keys(owners).length > 1) {
      ui.customer = el('select', { id: 'se-customer', name: 'customer_id' });
      ui.customer.appendChild(option('', t('page.customerAny')));
      Object.keys(owners).sort(function (a, b) { return owners[a].localeCompare(owners[b], LANG); }).forEach(function (id) {
        ui.customer.appendChild(option(id, owners[id]));
      });
      ui.customer.addEventListener('change', function () { navigate({ customer_id: ui.customer.value }, true); });
      out.push(field(t('page.customer'), ui.customer));
    }
    ui.service = el('select', { id: 'se-service', name: 'service_id' });
    ui.service.addEventListener('change', function () { navigate({ service_id: ui.service.value }, true); });
    out.push(field(t('page.service'), ui.service));
    return out;
  }

  function serviceOptions() {
    if (!ui.service) return;
    clear(ui.service);
    ui.service.appendChild(option('', t('page.serviceAny')));
    services.filter(function (s) { return !state.customer_id || String(s.ownerId) === state.customer_id; })
      .sort(function (a, b) { return a.name.localeCompare(b.name, LANG); })
      .forEach(function (s) {
        ui.service.appendChild(option(String(s.id), s.name + (s.removed ? ' (' + statusLabel('removed') + ')' : ''), String(s.id) === state.service_id));
      });
  }

  function buildHead() {
    var cols = [['', 'se-col-toggle'], [t('page.col.time'), 'se-col-time'], [t('page.col.event'), 'se-col-event']];
    if (!serviceId) cols.push([t('page.col.service'), 'se-col-service']);
    cols.push([t('page.col.actor'), 'se-col-actor'], [t('page.col.message'), 'se-col-message']);
    var tr = el('tr');
    cols.forEach(function (c) {
      tr.appendChild(c[0] ? el('th', { scope: 'col', text: c[0], class: c[1] }) : el('td', { class: c[1] }));
    });
    ui.thead.appendChild(tr);
  }

  // ---- rendering a view --------------------------------------------------
  function render() {
    var info = serviceId ? SERVICE[serviceId] : null;
    clear(ui.title);
    if (serviceId) {
      ui.title.appendChild(el('span', null, parts('page.titleService', {
        service: info ? userText(info.name) : t('page.serviceNumber', { id: serviceId })
      })));
      if (info && info.status && info.status !== 'active') ui.title.appendChild(pill(info.status));
      if (info && info.removed) ui.title.appendChild(pill('removed'));
    } else {
      ui.title.textContent = t('page.title');
    }
    ui.subtitle.textContent = t(serviceId ? 'page.subtitleService'
      : config.role && config.role !== 'admin' ? 'page.subtitleScoped' : 'page.subtitleAdmin');

    Array.prototype.forEach.call(ui.tabs.children, function (b) {
      var on = b.getAttribute('data-category') === state.category;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.setAttribute('tabindex', on ? '0' : '-1');
      b.classList.toggle('se-tab-active', on);
      if (on) ui.panel.setAttribute('aria-labelledby', b.id);
    });
    Array.prototype.forEach.call(ui.presets.children, function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-range') === state.range ? 'true' : 'false');
    });
    var chosen = typesOf(state);
    Object.keys(ui.typeGroups).forEach(function (c) { ui.typeGroups[c].hidden = state.category !== 'all' && state.category !== c; });
    ui.typeBoxes.forEach(function (b) { b.checked = chosen.indexOf(b.value) >= 0; });
    ui.typesSummary.textContent = chosen.length === 0 ? t('page.typesAny')
      : chosen.length === 1 ? typeLabel(chosen[0]) : tCount('page.typesSome', chosen.length);
    if (ui.customer) ui.customer.value = state.customer_id;
    serviceOptions();
    ui.actor.value = state.actor;
    ui.from.value = state.from;
    ui.to.value = state.to;
    ui.q.value = state.q;
    ui.exportBtn.setAttribute('data-export-url', exportUrl(state));
    load();
  }

  function load() {
    var seq = ++requestSeq;
    viewShown(null);
    root.setAttribute('aria-busy', 'true');
    ui.status.textContent = t('page.loading');
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
        viewShown(r.data);
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
    ui.pager.hidden = true;
    ui.exportBtn.disabled = true;
    clear(ui.error);
    var heading = [400, 403, 404].indexOf(status) >= 0 ? t('error.' + status)
      : status ? t('error.other', { status: status }) : t('error.network');
    ui.error.appendChild(el('strong', { text: heading }));
    // The API's own message says which parameter is wrong (in English, as the API speaks).
    var msg = error && error.message ? error.message : t(status === 403 ? 'error.denied' : 'error.failed');
    ui.error.appendChild(el('p', { text: msg, lang: error && error.message ? 'en' : null }));
    ui.error.setAttribute('data-status', String(status));
    ui.error.hidden = false;
  }

  function showPage(data) {
    ui.error.hidden = true;
    ui.tableWrap.hidden = false;
    ui.exportBtn.disabled = data.total === 0;
    clear(ui.tbody);
    var cols = serviceId ? 5 : 6;
    if (data.logs.length === 0) {
      ui.tbody.appendChild(el('tr', { class: 'se-empty' }, [el('td', { colspan: cols }, [
        el('p', { class: 'se-empty-title', text: t('page.empty') }), el('p', { text: t('page.emptyHint') })
      ])]));
    }
    data.logs.forEach(function (log) { appendRow(log, cols); });
    var first = data.total === 0 ? 0 : (data.page - 1) * data.perPage + 1;
    var last = Math.min(data.total, (data.page - 1) * data.perPage + data.logs.length);
    ui.status.textContent = '';
    ui.status.appendChild(el('span', { id: 'se-total', 'data-total': data.total, text: tCount('page.count', data.total) }));
    if (data.total > 0) ui.status.appendChild(document.createTextNode(' \u00b7 ' + t('page.showing', { first: number(first), last: number(last) })));
    renderPager(data);
  }

  // ---- text from outside the panel -----------------------------------------
  // DJ names, titles, mounts and service names come from outside the panel.
  // Each is put in its own <bdi> (an isolate), so that a right-to-left
  // override in one (U+202E) cannot reorder the rest of its line.
  function userText(text, attrs) {
    return el('bdi', Object.assign({ text: text }, attrs || {}));
  }
  // The library's stored sentence with the user-supplied values of its event isolated.
  function storedSentence(text, log) {
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

  // The sentence in the viewer's language from the strings' templates, filled
  // from the event's raw fields: sentence.<type>, or a variant of it chosen by
  // the AutoDJ trigger (:dj_disconnect), a takeover (:takeover) or a DJ acting
  // on himself (:self) when the strings have one.
  function djName(name) { return /^dj /i.test(name) ? [userText(name)] : parts('who.dj', { name: userText(name) }); }
  function whoDid(a) {
    if (a.type === 'system') return t('who.system');
    if (a.type === 'dj') return djName(a.name || '');
    if (a.type === 'api') return parts('who.api', { name: userText(a.name || (a.id !== null && a.id !== undefined ? '#' + a.id : '')) });
    if (a.name) return parts('who.user', { name: userText(a.name) });
    return a.id !== null && a.id !== undefined ? t('who.userId', { id: a.id }) : t('who.userNone');
  }
  function detailValue(v) {
    if (typeof v === 'number') return number(v);
    if (Array.isArray(v)) return v.map(String).join(t('part.listSeparator'));
    return typeof v === 'string' ? userText(v) : JSON.stringify(v);
  }
  function templatedSentence(log) {
    var a = log.actor || {};
    var d = log.details || {};
    var values = {};
    Object.keys(d).forEach(function (k) { values[k] = detailValue(d[k]); });
    values.who = whoDid(a);
    values.dj = djName(log.djName || '');
    values.reason = typeof d.reason === 'string'
      ? parts('part.reason', { reason: has('reason.' + d.reason) ? t('reason.' + d.reason) : userText(d.reason.replace(/_/g, ' ')) }) : '';
    values.from = log.sourceIp ? parts('part.from', { ip: userText(log.sourceIp) }) : '';
    values.address = log.sourceIp ? parts('part.address', { ip: userText(log.sourceIp) }) : '';
    values.server = typeof d.server === 'string' ? parts('part.server', { server: userText(d.server) })
      .concat(d.port !== undefined && d.port !== null ? parts('part.port', { port: String(d.port) }) : []) : '';
    values.usage = typeof d.used === 'number' && typeof d.limit === 'number' ? parts('part.usage', {
      used: number(d.used), limit: number(d.limit), unit: typeof d.unit === 'string' ? parts('part.unit', { unit: userText(d.unit) }) : ''
    }) : '';
    var key = 'sentence.' + log.type;
    var variant = [typeof d.trigger === 'string' ? d.trigger : null, log.takeover ? 'takeover' : null, a.type === 'dj' ? 'self' : null]
      .filter(function (v) { return v && has(key + ':' + v); })[0];
    return has(key) || variant ? parts(variant ? key + ':' + variant : key, values) : null;
  }
  // English is the library's own stored sentence; other languages are rendered from the strings.
  function sentence(log) {
    if (LANG === 'en' && log.message) return storedSentence(log.message, log);
    return templatedSentence(log) || storedSentence(log.message || '', log);
  }

  // The raw JSON shows bidi controls as escapes: it is the raw view.
  function rawJson(log) {
    return JSON.stringify(log, null, 2).replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, function (c) {
      return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
    });
  }

  function actorCell(actor) {
    actor = actor || {};
    var type = actor.type || 'system';
    var name = type === 'system' ? '' : (actor.name || (actor.id !== null && actor.id !== undefined ? '#' + actor.id : ''));
    return el('span', { class: 'se-actor se-actor-' + type }, [
      el('span', { class: 'se-actor-tag', text: actorLabel(type) }),
      name ? userText(name, { class: 'se-actor-name' }) : null
    ]);
  }

  // Events that matter stand out; the page config says which (by type, or by type and actor).
  function severity(log) {
    var sev = config.severity || {};
    return sev[log.type + ':' + ((log.actor && log.actor.type) || 'system')] || sev[log.type] || null;
  }

  function serviceCell(log) {
    if (log.serviceId === null || log.serviceId === undefined) return el('td', { class: 'se-service' }, [el('span', { text: '\u2014' })]);
    var known = SERVICE[log.serviceId];
    return el('td', { class: 'se-service' }, [
      el('a', { href: config.pagesBase + '/services/' + encodeURIComponent(log.serviceId) + '/stream-events' },
        [userText(log.serviceName || t('page.serviceNumber', { id: log.serviceId }))]),
      known && known.removed ? pill('removed') : null,
      log.ownerName ? userText(log.ownerName, { class: 'se-owner' }) : null
    ]);
  }

  function appendRow(log, cols) {
    var ms = logMs(log);
    var sev = severity(log);
    var label = typeLabel(log.type);
    var detailsId = 'se-details-' + log.id;
    var tr = el('tr', { class: 'se-row' + (sev ? ' se-sev-' + sev : ''), 'data-id': log.id, 'data-type': log.type });
    var toggle = el('button', {
      type: 'button', class: 'se-toggle', 'aria-expanded': 'false', 'aria-controls': detailsId,
      'aria-label': t('page.showDetails', { event: label, time: fmtLong.format(new Date(ms)) })
    });
    tr.appendChild(el('td', { class: 'se-col-toggle' }, [toggle]));
    tr.appendChild(el('td', { class: 'se-time' }, [timeNode(ms)]));
    tr.appendChild(el('td', { class: 'se-event' }, [
      sev ? el('span', { class: 'se-sev', text: t('severity.' + sev) }) : null,
      el('span', { class: 'se-label', text: label }),
      el('span', { class: 'se-badge se-cat-' + log.category, text: categoryLabel(log.category) }),
      log.takeover ? el('span', { class: 'se-pill se-pill-takeover', text: t('page.takeover') }) : null
    ]));
    if (!serviceId) tr.appendChild(serviceCell(log));
    tr.appendChild(el('td', { class: 'se-actor-cell' }, [actorCell(log.actor)]));
    tr.appendChild(el('td', { class: 'se-message' }, sentence(log)));

    var details = el('tr', { class: 'se-details', id: detailsId, hidden: true });
    var cell = el('td', { colspan: cols });
    details.appendChild(cell);
    var filled = false;
    function setOpen(open) {
      if (open && !filled) { fillDetails(cell, log, ms); filled = true; }
      details.hidden = !open;
      tr.classList.toggle('se-open', open);
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    }
    toggle.addEventListener('click', function (e) { e.stopPropagation(); setOpen(details.hidden); });
    // A click anywhere else on the row opens it too; the toggle is the keyboard's (Enter or Space).
    tr.addEventListener('click', function (e) {
      if (e.target.closest('a, button') || String(window.getSelection()) !== '') return;
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
      var list = Array.isArray(v) && v.some(function (x) { return x instanceof Node; }) ? v : [v];
      dl.appendChild(el('dt', { text: k }));
      dl.appendChild(el('dd', null, list.map(function (x) {
        return x instanceof Node ? x : userText(typeof x === 'object' ? JSON.stringify(x) : String(x));
      })));
    }
    function idOf(id) { return id !== null && id !== undefined ? ' #' + id : ''; }
    item(t('details.id'), log.id);
    item(t('details.type'), log.type + ' (' + typeLabel(log.type) + ')');
    item(t('details.timeUtc'), log.time || new Date(ms).toISOString());
    if (!viewerInUtc) item(t('details.timeLocal', { zone: timeZone }), fmtLong.format(new Date(ms)));
    if (log.serviceId !== null && log.serviceId !== undefined) {
      item(t('details.service'), [userText(log.serviceName || ''), document.createTextNode(idOf(log.serviceId))]);
    }
    if (log.ownerId !== null && log.ownerId !== undefined) {
      item(t('details.owner'), [userText(log.ownerName || ''), document.createTextNode(idOf(log.ownerId))]);
    }
    var a = log.actor || {};
    item(t('details.actor'), [document.createTextNode(actorLabel(a.type || 'system') + ' '), userText(a.name || ''), document.createTextNode(idOf(a.id))]);
    item(t('details.dj'), log.djName);
    item(t('details.sourceIp'), log.sourceIp);
    if (log.takeover !== null && log.takeover !== undefined) item(t('details.takeover'), t(log.takeover ? 'details.yes' : 'details.no'));
    var d = log.details || {};
    Object.keys(d).forEach(function (k) { item('details.' + k, d[k]); });
    item(t('details.message'), sentence(log));
    // In another language, the stored English sentence is what search and export see.
    if (LANG !== 'en' && log.message) {
      dl.appendChild(el('dt', { text: t('details.stored') }));
      dl.appendChild(el('dd', { lang: 'en' }, storedSentence(log.message, log)));
    }
    cell.appendChild(dl);
    cell.appendChild(el('details', { class: 'se-raw' }, [
      el('summary', { text: t('details.raw') }),
      el('pre', { text: rawJson(log), tabindex: '0' })
    ]));
  }

  function renderPager(data) {
    clear(ui.pager);
    // An empty view has nothing to page through.
    ui.pager.hidden = data.total === 0;
    var total = Math.max(1, data.totalPages || 1);
    function btn(glyph, key, page, id, disabled) {
      return el('button', {
        type: 'button', class: 'se-btn se-btn-plain se-page-btn', id: id, text: glyph, disabled: disabled,
        'aria-label': t(key), title: t(key),
        onclick: function () { navigate({ page: String(page) }, false); root.scrollIntoView(); }
      });
    }
    ui.pager.appendChild(btn('\u00ab', 'page.first', 1, 'se-first', data.page <= 1));
    ui.pager.appendChild(btn('\u2039', 'page.prev', data.page - 1, 'se-prev', data.page <= 1));
    ui.pager.appendChild(el('span', {
      class: 'se-page-info', id: 'se-page-info', 'data-page': data.page, 'data-pages': total,
      text: t('page.pageOf', { page: number(data.page), pages: number(total) })
    }));
    ui.pager.appendChild(btn('\u203a', 'page.next', data.page + 1, 'se-next', data.page >= total));
    ui.pager.appendChild(btn('\u00bb', 'page.last', total, 'se-last', data.page >= total));
    var per = el('select', { id: 'se-per-page', 'aria-label': t('page.perPageLabel') });
    PER_PAGE.concat(PER_PAGE.indexOf(data.perPage) < 0 ? [data.perPage] : []).forEach(function (n) {
      per.appendChild(option(String(n), t('page.perPage', { n: number(n) }), n === data.perPage));
    });
    per.addEventListener('change', function () { navigate({ per_page: per.value }, true); });
    ui.pager.appendChild(per);
  }

  // ---- export ------------------------------------------------------------
  // A plain download of the API's CSV for the current filters (all pages):
  // the browser streams it to disk, signed in by the panel's session cookie.
  function exportCsv() {
    var a = el('a', { href: exportUrl(state), download: '', hidden: true });
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // ---- the hook for live updates (stream-events-live.js) -------------------
  // The live script polls the view shown and brings new events in through
  // these; this script stays the one that loads and renders. onView(fn) calls
  // fn(page JSON) each time a view has loaded (at once if one has), and
  // fn(null) when one starts loading (a poll of the view before is stale then).
  var viewListeners = [];
  var viewData = null;
  function viewShown(data) {
    viewData = data;
    viewListeners.forEach(function (fn) { fn(data); });
  }
  window.StreamEvents = {
    onView: function (fn) { viewListeners.push(fn); if (viewData) fn(viewData); },
    apiQuery: function () { return stateToApiQuery(state); },
    apiUrl: apiUrl,
    headers: authHeaders,
    show: showPage,
    reload: load,
    firstPage: function () { navigate({ page: '1' }, false); },
    slot: function () { return ui.live; },
    dom: { el: el, clear: clear },
    t: t,
    tCount: tCount,
    number: number
  };

  window.addEventListener('popstate', function () { state = readState(); render(); });
  state = readState();
  build();
  render();
}());
