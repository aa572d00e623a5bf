"""Live updates of the pages (issue #16), run by test_pages.py as its last checks.

Events are logged through the bridge (log_events.php, into the store the demo
server serves) while a customer's page is open: its own show up within 3 s,
another customer's never; on page 2, scrolled down or with a row open, an
"N new events" notice comes instead and the rows stay where they are; a tab
in the background stops asking and catches up when shown again; a server that
stops and comes back is waited for quietly.

The hidden tab is a real one: opening a second tab hides the first (Chromium
fires visibilitychange and document.hidden is true there, headless too), and
closing it shows the first again. CDP's Page.setWebLifecycleState only
freezes a page (its timers stop, it never becomes visible again), and a
stubbed document.hidden would test the stub, not the browser.
"""
import json
import os
import socket
import subprocess
import time

from selenium.webdriver.common.by import By

HERE = os.path.dirname(os.path.abspath(__file__))
BRIDGE = os.path.dirname(os.path.dirname(HERE))
OWN, FOREIGN, SUSPENDED = 101, 104, 102  # demo customer 4's service, customer 5's, customer 4's suspended one
WITHIN = 3.0  # seconds from logging to the row on the page

# Records, in the page, every poll (fetch with after=) and the live state's changes.
RECORDER = '''
    if (!window.__live) {
      window.__live = {polls: [], states: [], visibility: []};
      const fetch0 = window.fetch;
      window.fetch = function (url) {
        if (String(url).includes('after=')) window.__live.polls.push(Date.now());
        return fetch0.apply(this, arguments);
      };
      const state = document.getElementById('se-live-state');
      new MutationObserver(() => window.__live.states.push(state.getAttribute('data-state')))
        .observe(state, {attributes: true, attributeFilter: ['data-state']});
      document.addEventListener('visibilitychange', () => window.__live.visibility.push(document.visibilityState));
    }'''


def log_events(*events):
    """Logs through the bridge; returns the ids."""
    out = subprocess.run(['php', '-d', 'ffi.enable=1', os.path.join(HERE, 'log_events.php'), json.dumps(events)],
                         check=True, capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def dj_event(service, name):
    return {'type': 'dj.connect', 'serviceId': service, 'djName': name, 'sourceIp': '198.51.100.61', 'takeover': False}


def unique(what):
    return f'{what} {time.time_ns() % 10**9}'


def checks(ui):
    """The live checks, over test_pages.py's driver and helpers."""
    d, check = ui.d, ui.check

    def wait_for(cond, timeout, what, started=None):
        started = started or time.time()
        while time.time() - started < timeout:
            if cond():
                return time.time() - started
            time.sleep(0.05)
        raise AssertionError(f'{what} (waited {timeout:.0f} s)')

    def state():
        return d.find_element(By.ID, 'se-live-state').get_attribute('data-state')

    def live():
        wait_for(lambda: state() == 'live', 5, 'the page went live')
        d.execute_script(RECORDER)

    # Read in one script: the rows may be rendered again between two WebDriver calls.
    def ids():
        return d.execute_script('return [...document.querySelectorAll("tr.se-row")].map(r => Number(r.dataset.id))')

    def djs():
        return d.execute_script('''return [...document.querySelectorAll("tr.se-row")]
            .map(r => (r.querySelector(".se-actor-dj .se-actor-name") || {}).textContent || null)''')

    def news():
        b = d.find_element(By.ID, 'se-live-news')
        return b.text if b.is_displayed() else ''

    def first_row_top():
        return d.execute_script('return document.querySelector("tr.se-row").getBoundingClientRect().top')

    def appears(name, what, logged_at):
        """Seconds from logged_at until a row of DJ `name` is on the page; fails after WITHIN."""
        return wait_for(lambda: name in djs(), WITHIN, f'{what} shown within {WITHIN:.0f} s', logged_at)

    def t_live_own_events_appear_foreign_never():
        ui.open_page('/stream-events')
        ui.sign_in('customer')
        live()
        before, pages = ui.total(), ui.page_info()[1]
        own, foreign = unique('Own DJ'), unique('Foreign DJ')
        t0 = time.time()
        log_events(dj_event(FOREIGN, foreign), dj_event(OWN, own))
        took = appears(own, 'the own event', t0)
        check(djs()[0] == own and ui.rows()[0].get_attribute('class').count('se-live-new') == 1,
              f'at the top, marked new: {djs()[:3]}')
        check(ui.total() == before + 1 and ui.page_info() == (1, -(-(before + 1) // 25)),
              f'total {before} -> {ui.total()}, pages {pages} -> {ui.page_info()}')
        time.sleep(2.5)  # at least one more poll
        check(foreign not in d.find_element(By.ID, 'se-app').text and ui.total() == before + 1,
              'another customer\'s event never shows')
        check(not d.execute_script('return window.__alerts.length'), 'no alert')
        print(f'     own event on the page {took:.1f} s after logging', flush=True)

        # The page of a suspended service lives too.
        ui.open_page(f'/services/{SUSPENDED}/stream-events')
        live()
        [stop] = log_events({'type': 'service.stop', 'serviceId': SUSPENDED, 'actor': {'type': 'system', 'id': None, 'name': None},
                             'details': {'reason': 'suspended'}})
        wait_for(lambda: ids()[:1] == [stop], WITHIN, 'the suspended service\'s page shows its new event')

    def t_live_notice_keeps_rows_still():
        ui.open_page('/stream-events?page=2')
        live()
        rows, top, scroll = ids(), first_row_top(), d.execute_script('return window.scrollY')
        names = [unique('Second-page DJ'), unique('Second-page DJ')]
        log_events(*(dj_event(OWN, n) for n in names))
        wait_for(lambda: news().startswith('2 new events'), WITHIN, 'a "2 new events" notice on page 2')
        region = d.find_element(By.ID, 'se-live-news').find_element(By.XPATH, '..')
        check(region.get_attribute('aria-live') == 'polite', 'the notice is announced politely')
        check(ids() == rows and first_row_top() == top and d.execute_script('return window.scrollY') == scroll
              and ui.page_info()[0] == 2, 'the rows of page 2 stay where they were')
        d.save_screenshot(os.path.join(ui.SHOTS, 'live-notice-page-2.png'))
        ui.axe_clean('the new-events notice')
        d.find_element(By.ID, 'se-live-news').click()
        ui.settled()
        check(ui.page_info()[0] == 1 and set(djs()[:2]) == set(names) and not news(), 'the click brings them in on page 1')
        live()

        # Page 1 with a row open: the notice again, the row stays open.
        ui.rows()[3].find_element(By.CSS_SELECTOR, '.se-toggle').click()
        rows, top = ids(), first_row_top()
        opened = unique('While-reading DJ')
        log_events(dj_event(OWN, opened))
        wait_for(lambda: news().startswith('1 new event'), WITHIN, 'a "1 new event" notice while a row is open')
        check(ids() == rows and first_row_top() == top and ui.css('tr.se-details:not([hidden])'), 'the open row stays, nothing moved')
        d.find_element(By.ID, 'se-live-news').click()
        check(djs()[0] == opened and not news(), 'the click brings it in at the top')
        focused = d.switch_to.active_element
        check(focused.get_attribute('data-id') == str(ids()[0]), 'focus moves to the first new row')

        # Page 1 scrolled down: the same.
        d.execute_script('window.scrollTo(0, 400)')
        scroll, rows = d.execute_script('return window.scrollY'), ids()
        check(scroll > 0, 'the page can scroll')
        scrolled = unique('Scrolled DJ')
        log_events(dj_event(OWN, scrolled))
        wait_for(lambda: news().startswith('1 new event'), WITHIN, 'a notice while scrolled down')
        check(ids() == rows and d.execute_script('return window.scrollY') == scroll, 'scrolled rows stay still')
        d.find_element(By.ID, 'se-live-news').click()
        check(djs()[0] == scrolled and d.execute_script('return window.scrollY') < scroll, 'brought in, back at the top')

    def t_live_hidden_tab_catches_up():
        ui.open_page('/stream-events')
        live()
        page = d.current_window_handle
        d.switch_to.new_window('tab')  # the page's tab is now in the background
        hidden_at = time.time() * 1000
        name = unique('Hidden-tab DJ')
        log_events(dj_event(OWN, name))
        time.sleep(5)
        shown_at = time.time() * 1000
        d.close()
        d.switch_to.window(page)
        took = appears(name, 'the event logged while hidden', shown_at / 1000)
        rec = d.execute_script('return window.__live')
        check(rec['visibility'][:2] == ['hidden', 'visible'], f'a real visibility change: {rec["visibility"]}')
        asked = [t for t in rec['polls'] if hidden_at + 500 < t < shown_at]
        check(not asked, f'no polls while hidden: {len(asked)}')
        check('paused' in rec['states'], f'the state said paused: {rec["states"]}')
        check(took < 1.5, f'caught up at once when shown ({took:.1f} s)')

    def t_live_server_restart():
        port = free_port()
        server = start_server(port)
        try:
            d.get(f'http://127.0.0.1:{port}/stream-events')
            ui.settled()
            live()
            shown = ids()
            server = stop_server(server)
            down_at = time.time() * 1000
            wait_for(lambda: state() == 'reconnecting', 5, 'a reconnecting state')
            check(d.find_element(By.ID, 'se-live-state').text.startswith('Reconnecting'), 'says it is reconnecting')
            name = unique('While-down DJ')
            log_events(dj_event(OWN, name))
            time.sleep(4)
            check(ids() == shown and not ui.css('.se-error:not([hidden])'), 'no error shown, the rows stay')
            server = start_server(port)
            up_at = time.time() * 1000
            wait_for(lambda: name in djs(), 20, 'the event logged while down, once the server is back')
            check(state() == 'live', 'live again')
            polls = [t for t in d.execute_script('return window.__live.polls') if down_at < t < up_at]
            check(len(polls) <= 5, f'retries back off: {len(polls)} in {(up_at - down_at) / 1000:.0f} s')
            print(f'     {len(polls)} retries in {(up_at - down_at) / 1000:.0f} s down', flush=True)
        finally:
            stop_server(server)

    return [t_live_own_events_appear_foreign_never, t_live_notice_keeps_rows_still, t_live_hidden_tab_catches_up,
            t_live_server_restart]


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_server(port):
    """The demo front controller on 127.0.0.1:port, over the same store (the environment's)."""
    for _ in range(20):  # the port may still be held for a moment after a stop
        p = subprocess.Popen(['php', os.path.join(BRIDGE, 'tests', 'serve.php'), '--docroot', os.path.join(BRIDGE, 'public'),
                              '--port', str(port), os.path.join(BRIDGE, 'public', 'index.php')],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if p.stdout.readline().strip():
            return p
        p.wait()
        time.sleep(0.25)
    raise AssertionError(f'the demo server did not start on port {port}')


def stop_server(p):
    if p is not None and p.poll() is None:
        p.terminate()
        p.wait(10)
    return None
