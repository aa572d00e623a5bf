/*
 * The demo server's part of the Stream Events page: a demo banner with a
 * sign-in switcher, and a side menu standing in for the panel's own. It runs
 * before the page script and hands it window.StreamEventsHost (see
 * public/assets/stream-events.js). Text only ever goes in with textContent.
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('se-config').textContent);
  var demo = config.host;
  var serviceId = config.serviceId || null;

  // The switcher keeps its token in the cookie the demo server also accepts,
  // so downloads (plain navigations) are signed in too; API calls send it as
  // a bearer token like any API client.
  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }
  function setToken(token) {
    document.cookie = demo.cookie + '=' + encodeURIComponent(token) + '; path=/; SameSite=Lax';
  }
  function token() {
    var t = readCookie(demo.cookie);
    if (!demo.users.some(function (u) { return u.token === t; })) { t = demo.users[0].token; setToken(t); }
    return t;
  }
  function currentUser() {
    var t = token();
    return demo.users.filter(function (u) { return u.token === t; })[0] || null;
  }
  // The services the signed-in demo account may see (the menu knows all of them).
  function visibleServices() {
    var user = currentUser();
    if (!user || user.role === 'admin') return demo.services;
    return demo.services.filter(function (s) {
      if (s.ownerId === user.id) return true;
      if (user.role !== 'reseller') return false;
      return demo.accounts.some(function (a) { return a.id === s.ownerId && a.resellerId === user.id; });
    });
  }

  function banner(dom) {
    var current = currentUser();
    var select = dom.el('select', { id: 'se-demo-user', 'aria-label': 'Signed in as' });
    demo.users.forEach(function (u) {
      select.appendChild(dom.option(u.token, u.label, current && u.token === current.token));
    });
    select.addEventListener('change', function () {
      setToken(select.value);
      window.location.reload();
    });
    return dom.el('div', { class: 'se-demo', id: 'se-demo-banner', role: 'note' }, [
      dom.el('strong', { text: 'Demo mode' }),
      dom.el('span', { text: ' \u2014 sign-in is simulated by the demo server; data is generated. Signed in as ' }),
      select
    ]);
  }

  function menu(dom) {
    var nav = dom.el('nav', { class: 'se-menu', 'aria-label': 'Panel menu' });
    var list = dom.el('ul');
    list.appendChild(dom.el('li', { class: serviceId ? null : 'se-active' }, [
      dom.el('a', { href: config.pagesBase + '/stream-events', text: 'Stream Events (all services)' })
    ]));
    var services = visibleServices();
    if (services.length) {
      nav.appendChild(list);
      nav.appendChild(dom.el('h2', { text: 'Services' }));
      list = dom.el('ul');
    }
    services.forEach(function (s) {
      list.appendChild(dom.el('li', { class: serviceId === s.id ? 'se-active' : null }, [
        dom.el('div', { class: 'se-menu-service' }, [
          dom.el('bdi', { text: s.name }),
          s.status && s.status !== 'active' ? dom.el('span', { class: 'se-pill se-status-' + s.status, text: s.status }) : null
        ]),
        dom.el('a', { href: config.pagesBase + '/services/' + s.id + '/stream-events', class: 'se-menu-sub', text: 'Stream Events' })
      ]));
    });
    nav.appendChild(list);
    return nav;
  }

  window.StreamEventsHost = {
    requestHeaders: function () { return { Authorization: 'Bearer ' + token() }; },
    service: function (id) {
      return visibleServices().filter(function (s) { return s.id === id; })[0] || null;
    },
    wrap: function (root, main, dom) {
      root.appendChild(banner(dom));
      root.appendChild(dom.el('div', { class: 'se-shell' }, [menu(dom), main]));
    }
  };
}());
