#!/usr/bin/env python3
"""Browser test of the Stream Events pages against a running demo server.

Drives Debian's headless chromium through Selenium: tabs, date range, paging,
row details, CSV export, customer scope, the hostile DJ names and bad parameters in the page URL;
presets, pickers and several types in the URL; the layout at 390, 1280 and 1440 px (no sideways
overflow, no clipped message), dark mode, the page embedded in a stand-in panel (host.php), German,
a keyboard walk and axe-core (WCAG 2.1 AA) on every page state; live updates (live_checks.py).
Prints one line per check and a summary `ui: N passed, M failed`; exits 1 on failure.

usage: test_pages.py BASE_URL DOWNLOAD_DIR SCREENSHOT_DIR
UI_ONLY="bidi_isolated bad_parameters" runs only those checks.
"""
import csv
import datetime as dt
import json
import os
import sys
import time
import traceback
import urllib.parse

import live_checks

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait
from axe_selenium_python import Axe

BASE, DOWNLOADS, SHOTS = sys.argv[1].rstrip('/'), sys.argv[2], sys.argv[3]
HOSTILE = '<img src=x onerror=alert(1)>'
BIDI = 'DJ \u202eMallory'  # DemoMonth::BIDI_DJ: a right-to-left override in a DJ name
# A zone far from UTC (and not on a whole hour) so local and UTC times differ visibly.
TZ = 'Asia/Kathmandu'


def make_driver():
    opts = webdriver.ChromeOptions()
    opts.binary_location = '/usr/bin/chromium'
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
              '--window-size=1500,1100', '--lang=en-US'):
        opts.add_argument(a)
    opts.add_experimental_option('prefs', {
        'download.default_directory': DOWNLOADS, 'download.prompt_for_download': False})
    os.environ['TZ'] = TZ  # inherited by chromedriver and chromium
    drv = webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=opts)
    drv.set_page_load_timeout(20)
    drv.execute_cdp_cmd('Browser.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': DOWNLOADS})
    # Record any alert() a page would show (none may happen).
    drv.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source':
        'window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };'})
    return drv


for old in os.listdir(SHOTS):
    if old.startswith('fail-'):
        os.remove(os.path.join(SHOTS, old))
d = make_driver()
wait = WebDriverWait(d, 15)
USER_AGENT = d.execute_script('return navigator.userAgent')


def settled():
    """Waits until the page finished loading its current view."""
    wait.until(lambda drv: drv.find_element(By.ID, 'se-app').get_attribute('aria-busy') == 'false')


def open_page(path):
    d.get(BASE + path)
    settled()


def css(sel):
    return d.find_elements(By.CSS_SELECTOR, sel)


def total():
    return int(d.find_element(By.ID, 'se-total').get_attribute('data-total'))


def page_info():
    e = d.find_element(By.ID, 'se-page-info')
    return int(e.get_attribute('data-page')), int(e.get_attribute('data-pages'))


def rows():
    return css('tr.se-row')


def sign_in(who):
    old = d.find_element(By.ID, 'se-demo-user')
    if old.get_attribute('value') == who:
        return
    Select(old).select_by_value(who)
    wait.until(EC.staleness_of(old))
    settled()


def emulate(width=1500, height=1100, dark=False, language='en-US,en', tz=TZ):
    """The viewer: window size, colour scheme, language (Accept-Language) and time zone."""
    d.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                      {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': width < 500})
    d.execute_cdp_cmd('Emulation.setEmulatedMedia',
                      {'features': [{'name': 'prefers-color-scheme', 'value': 'dark' if dark else 'light'}]})
    d.execute_cdp_cmd('Emulation.setUserAgentOverride', {'userAgent': USER_AGENT, 'acceptLanguage': language})
    d.execute_cdp_cmd('Emulation.setTimezoneOverride', {'timezoneId': tz})


AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']


def axe_clean(state):
    """axe-core finds no WCAG 2.1 A/AA violation in the page as it is now."""
    Axe(d).inject()
    result = d.execute_async_script('''
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(done, e => done({error: String(e)}));''', AXE_TAGS)
    check('error' not in result, f'axe-core {d.execute_script("return axe.version")} runs the WCAG 2.1 rules: {result.get("error")}'
          ' (axe-selenium-python 3: make deps)')
    found = [f"{v['id']} ({v['impact']}): " + '; '.join(
        (n['target'][0] if n['target'] else '?') + ' ' + (n.get('failureSummary') or '').replace('\n', ' ')[:160]
        for n in v['nodes'][:3]) for v in result['violations']]
    check(not found, f'axe, {state}: ' + ' | '.join(found))


def layout_ok(what):
    """Nothing wider than the window, and every message cell shows all of its text."""
    m = d.execute_script('''
        const doc = document.documentElement, app = document.getElementById('se-app');
        const wrap = document.querySelector('.se-table-wrap');
        const clipped = [...document.querySelectorAll('tr.se-row td.se-message')].filter(td => {
          const r = td.getBoundingClientRect();
          return td.scrollWidth > td.clientWidth + 1 || r.right > doc.clientWidth + 0.5 || r.left < -0.5;
        }).length;
        return {page: doc.scrollWidth, window: doc.clientWidth, app: app.getBoundingClientRect().right,
                wrap: wrap ? wrap.scrollWidth - wrap.clientWidth : 0, clipped: clipped,
                rows: document.querySelectorAll('tr.se-row').length};''')
    check(m['page'] <= m['window'] and m['app'] <= m['window'] + 0.5, f'{what}: no sideways scrolling {m}')
    check(m['wrap'] <= 1, f'{what}: the table fits its box {m}')
    check(m['clipped'] == 0 and m['rows'] > 0, f'{what}: no clipped message cell {m}')


def api(path):
    """Calls the API from inside the page with the page's own demo token."""
    return d.execute_async_script('''
        const done = arguments[arguments.length - 1];
        const token = document.cookie.split('; ').find(c => c.startsWith('stream_events_demo=')).split('=')[1];
        fetch(arguments[0], {headers: {Authorization: 'Bearer ' + token}})
          .then(r => r.text().then(t => done({status: r.status, body: t})))
          .catch(e => done({status: 0, body: String(e)}));''', path)


def set_date(input_id, value):
    # Date inputs' typing format depends on the locale: set the value, fire change as a user's pick would.
    el = d.find_element(By.ID, input_id)
    d.execute_script('arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event("change"));', el, value)
    settled()


def no_alerts():
    try:
        d.switch_to.alert
        return False
    except NoAlertPresentException:
        return d.execute_script('return window.__alerts.length') == 0


def check(cond, what):
    if not cond:
        raise AssertionError(what)


# ---- checks -------------------------------------------------------------------

def t_global_page():
    open_page('/stream-events')
    sign_in('admin')
    banner = d.find_element(By.ID, 'se-demo-banner')
    check(banner.is_displayed() and 'demo mode' in banner.text.lower(), 'demo banner visible')
    n, (p, pages) = total(), page_info()
    check(n > 1000, f'a month of events (total {n})')
    check(p == 1 and pages == -(-n // 25), f'page 1 of ceil({n}/25), got {p} of {pages}')
    check(len(rows()) == 25, f'25 rows, got {len(rows())}')
    heads = [th.text for th in css('.se-table th')]
    check('Service' in heads, f'global view has a Service column: {heads}')
    stamps = [int(dt.datetime.fromisoformat(t.get_attribute('datetime').replace('Z', '+00:00')).timestamp() * 1000)
              for t in css('tr.se-row time')]
    check(stamps == sorted(stamps, reverse=True), 'newest first')
    t0 = css('tr.se-row time')[0]
    utc = dt.datetime.fromisoformat(t0.get_attribute('datetime').replace('Z', '+00:00'))
    local = utc.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=45)))
    check(utc.strftime('%Y-%m-%dT%H:%M:%S') in t0.get_attribute('title') and t0.get_attribute('title').endswith('Z (UTC)'),
          f'UTC on hover: {t0.get_attribute("title")}')
    check(local.strftime('%I:%M').lstrip('0') in t0.text or local.strftime('%H:%M') in t0.text,
          f'local time ({TZ}) shown: {t0.text!r} for {utc}')
    check(t0.find_element(By.CSS_SELECTOR, '.se-rel').text.endswith(' ago') or t0.text.startswith('now'), f'relative time: {t0.text!r}')
    check('kept for 30 days' in d.find_element(By.CSS_SELECTOR, '.se-retention').text, 'the retention line')
    first_page = ' '.join(c.get_attribute('textContent') for c in css('tr.se-row'))
    check(HOSTILE not in first_page and 'Mallory' not in first_page, 'the hostile names are not the first thing a visitor sees')
    d.save_screenshot(os.path.join(SHOTS, 'global-admin.png'))
    # Events that matter stand out, with a word and not by colour alone. The
    # types asked for by name: on the plain service tab today's shows' title
    # updates can fill the first page, depending on the time of day.
    open_page('/stream-events?category=service&type=service.suspend,service.stop,service.bitrate_warning,service.restart')
    sev = css('tr.se-sev-critical, tr.se-sev-warning')
    check(sev and len(sev) < len(rows()), 'suspensions, system stops, bitrate warnings stand out (restarts do not)')
    word = sev[0].find_element(By.CSS_SELECTOR, '.se-sev').text
    check(word in ('Alert', 'Warning'), f'severity in words: {word!r}')
    plain = css('tr.se-row:not(.se-sev-critical):not(.se-sev-warning)')[0]
    check(sev[0].value_of_css_property('box-shadow') != plain.value_of_css_property('box-shadow'), 'and a coloured edge')


def t_tabs():
    open_page('/stream-events')
    all_total = total()
    seen = 0
    for cat in ('service', 'mount', 'dj', 'source', 'autodj'):
        d.find_element(By.CSS_SELECTOR, f'.se-tab[data-category="{cat}"]').click()
        settled()
        check(f'category={cat}' in d.current_url, f'{cat} in URL {d.current_url}')
        types = {r.get_attribute('data-type').split('.')[0] for r in rows()}
        check(types == {cat}, f'{cat} tab shows only {cat} events, got {types}')
        check(d.find_element(By.CSS_SELECTOR, '.se-tab-active').get_attribute('data-category') == cat, 'active tab')
        seen += total()
    check(seen == all_total, f'the category totals add up to All Events ({seen} vs {all_total})')
    # Reload keeps the tab (state in the URL); the page matches the API.
    before = total()
    d.refresh()
    settled()
    check(d.find_element(By.CSS_SELECTOR, '.se-tab-active').get_attribute('data-category') == 'autodj' and total() == before,
          'reload keeps the tab and its total')
    r = api('/controller/EventLog?category=autodj&per_page=1')
    check(r['status'] == 200 and f'"total":{before}' in r['body'].replace(' ', ''), f'API agrees: {r["body"][:120]}')
    d.find_element(By.CSS_SELECTOR, '.se-tab[data-category="all"]').click()
    settled()
    check(total() == all_total and 'category=' not in d.current_url, 'back to All Events')


def local_days_ago(n):
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=45)))
    return (now - dt.timedelta(days=n)).date()


def t_date_range():
    open_page('/stream-events')
    all_total = total()
    frm, to = local_days_ago(12), local_days_ago(10)
    set_date('se-from', frm.isoformat())
    set_date('se-to', to.isoformat())
    check(f'from={frm}' in d.current_url and f'to={to}' in d.current_url, f'range in URL {d.current_url}')
    n = total()
    check(0 < n < all_total, f'range narrows the view ({n} of {all_total})')
    tz = dt.timezone(dt.timedelta(hours=5, minutes=45))
    lo = dt.datetime.combine(frm, dt.time(), tz)
    hi = dt.datetime.combine(to + dt.timedelta(days=1), dt.time(), tz)
    for t in css('tr.se-row time'):
        at = dt.datetime.fromisoformat(t.get_attribute('datetime').replace('Z', '+00:00'))
        check(lo <= at < hi, f'{at} inside [{lo}, {hi})')
    d.refresh()
    settled()
    check(d.find_element(By.ID, 'se-from').get_attribute('value') == frm.isoformat() and total() == n,
          'reload keeps the range')


def t_paging():
    open_page('/stream-events?category=dj')
    first_ids = [int(r.get_attribute('data-id')) for r in rows()]
    last_time = css('tr.se-row time')[-1].get_attribute('datetime')
    n, (_, pages) = total(), page_info()
    d.find_element(By.ID, 'se-next').click()
    settled()
    check(page_info() == (2, pages) and 'page=2' in d.current_url, f'page 2 of {pages}: {page_info()}')
    ids = [int(r.get_attribute('data-id')) for r in rows()]
    check(len(ids) == 25 and not set(ids) & set(first_ids), 'page 2 holds other events')
    check(css('tr.se-row time')[0].get_attribute('datetime') <= last_time, 'page 2 is older than page 1')
    check(f'Page 2 of {pages}' in d.find_element(By.ID, 'se-page-info').text and total() == n, 'pager text')
    d.refresh()
    settled()
    check(page_info() == (2, pages) and [int(r.get_attribute('data-id')) for r in rows()] == ids, 'reload keeps page 2')
    d.find_element(By.ID, 'se-last').click()
    settled()
    check(page_info() == (pages, pages) and len(rows()) == n - 25 * (pages - 1), 'last page holds the rest')


def t_details():
    open_page('/stream-events?category=service&type=service.bitrate_warning')
    row = rows()[0]
    detail = d.find_element(By.CSS_SELECTOR, 'tr.se-row + tr.se-details')
    check(not detail.is_displayed(), 'details start closed')
    row.find_element(By.CSS_SELECTOR, '.se-toggle').click()
    check(detail.is_displayed() and row.find_element(By.CSS_SELECTOR, '.se-toggle').get_attribute('aria-expanded') == 'true',
          'details open')
    dl = dict(zip([e.text for e in detail.find_elements(By.TAG_NAME, 'dt')],
                  [e.text for e in detail.find_elements(By.TAG_NAME, 'dd')]))
    check(dl.get('Event id') == row.get_attribute('data-id'), f'details of this event: {dl}')
    check(dl.get('details.limit') and dl.get('details.bitrate'), f'bitrate details shown: {dl}')
    check(dl.get('Time (UTC)', '').endswith('Z') and any(k.startswith('Time (Asia/Kat') for k in dl), f'UTC and local time in details: {list(dl)}')
    d.save_screenshot(os.path.join(SHOTS, 'details-open.png'))
    axe_clean('details open')
    row.find_element(By.CSS_SELECTOR, 'td.se-message').click()  # anywhere on the row but a link
    check(not detail.is_displayed(), 'details close again')
    # A viewer in UTC gets the time once.
    emulate(tz='UTC')
    try:
        open_page('/stream-events?category=service&type=service.bitrate_warning')
        rows()[0].find_element(By.CSS_SELECTOR, '.se-toggle').click()
        dts = [e.text for e in d.find_elements(By.CSS_SELECTOR, 'tr.se-details:not([hidden]) dt')]
        check([x for x in dts if x.startswith('Time')] == ['Time (UTC)'], f'one time line in UTC: {dts}')
    finally:
        emulate()


def export_csv():
    """Clicks Export CSV and returns the downloaded rows."""
    for f in os.listdir(DOWNLOADS):
        os.remove(os.path.join(DOWNLOADS, f))
    d.find_element(By.ID, 'se-export').click()
    deadline = time.time() + 15
    files = []
    while time.time() < deadline:
        files = [f for f in os.listdir(DOWNLOADS) if not f.endswith('.crdownload')]
        if files:
            break
        time.sleep(0.1)
    check(len(files) == 1 and files[0].endswith('.csv'), f'one CSV downloaded: {files}')
    with open(os.path.join(DOWNLOADS, files[0]), newline='', encoding='utf-8') as fh:
        return files[0], list(csv.DictReader(fh))


def view_via_api():
    """Every page of the current view from the API: (id, UTC time) pairs, newest first."""
    url = d.find_element(By.ID, 'se-export').get_attribute('data-export-url').replace('format=csv', 'per_page=500')
    expect, page = [], 1
    while True:
        r = api(f'{url}&page={page}')
        check(r['status'] == 200, f'API page {page}: {r["status"]}')
        body = json.loads(r['body'])
        expect += [(str(x['id']), x['time']) for x in body['logs']]
        if page >= body['totalPages']:
            return expect
        page += 1


def t_export_csv():
    frm, to = local_days_ago(20), local_days_ago(6)
    open_page(f'/stream-events?category=dj&actor=dj&from={frm}&to={to}')
    n = total()
    check(n > 25, f'a view longer than one page ({n})')
    _, data = export_csv()
    check(len(data) == n, f'CSV rows = total ({len(data)} vs {n})')
    got = [(row['id'], row['time_utc']) for row in data]
    check(got == view_via_api(), 'CSV ids and UTC times equal the filtered view')
    check({row['type'].split('.')[0] for row in data} == {'dj'} and {row['actor_type'] for row in data} == {'dj'},
          'CSV holds only the filtered category and actor')
    check('service' in data[0] and 'customer' in data[0], 'admin export has service and customer columns')


def t_customer_scope():
    open_page('/stream-events')
    sign_in('customer')
    menu = [a.text for a in css('.demo-menu bdi')]
    check(menu == ['Radio Nova Live', 'Radio Nova Nonstop', 'Nova Talk'], f'customer menu shows own services: {menu}')
    check({r.find_element(By.CSS_SELECTOR, '.se-service a').text for r in rows()} <= set(menu), 'only own services in the log')
    open_page('/services/104/stream-events')
    err = d.find_element(By.CSS_SELECTOR, '.se-error')
    check(err.is_displayed() and '403' in err.text and err.get_attribute('data-status') == '403', f'403 shown: {err.text!r}')
    check('Club Beats' not in d.find_element(By.CSS_SELECTOR, '.se-title').text, 'the other service is not named')
    check(not rows(), 'no rows of the other customer')
    check(api('/controller/EventLog/104')['status'] == 403, 'API refuses the other customer\'s service')
    check(api('/controller/EventLog/104?format=csv')['status'] == 403, 'and its export')
    check(api('/services/104/stream-events')['status'] == 403, 'the page itself answers 403')
    # A suspended service of its own stays visible.
    open_page('/services/102/stream-events')
    check(not css('.se-error:not([hidden])') and rows(), 'own suspended service shows its log')
    check('suspended' in d.find_element(By.CSS_SELECTOR, '.se-title').text.lower(), 'suspended status shown')
    axe_clean('customer, suspended service')
    suspension = [r for r in rows() if r.get_attribute('data-type') == 'service.suspend']
    check(suspension, 'the bandwidth suspension is listed')
    check(suspension[0].find_element(By.CSS_SELECTOR, 'td.se-message').text
          == 'System suspended the service: bandwidth limit exceeded (512 of 500 GB used)', 'with its usage figures')
    open_page('/services/101/stream-events')
    check('Service' not in [th.text for th in css('.se-table th')], 'service view has no Service column')
    d.save_screenshot(os.path.join(SHOTS, 'service-101-customer.png'))
    d.find_element(By.CSS_SELECTOR, '.se-tab[data-category="mount"]').click()
    settled()
    name, data = export_csv()
    check('101' in name and len(data) == total() and [(r['id'], r['time_utc']) for r in data] == view_via_api(),
          f'the service page exports its own filtered view ({name}, {len(data)} rows)')


def t_reseller_scope():
    open_page('/stream-events')
    sign_in('admin')
    admin_total = total()
    sign_in('reseller')
    menu = [a.text for a in css('.demo-menu bdi')]
    check(len(menu) == 7 and 'WaveHost Promo Stream' in menu and 'Skyline Jazz' not in menu, f'reseller menu: {menu}')
    check(0 < total() < admin_total, f'reseller sees part of the panel ({total()} of {admin_total})')
    d.find_element(By.CSS_SELECTOR, '.se-tab[data-category="service"]').click()
    settled()
    d.find_element(By.ID, 'se-last').click()  # the oldest page holds every service's first start
    settled()
    names = {r.find_element(By.CSS_SELECTOR, '.se-service a').text for r in rows()}
    check(names <= set(menu), f'only its customers\' and its own services: {names - set(menu)}')
    check(api('/controller/EventLog/112')['status'] == 403, 'another reseller\'s service is refused')
    open_page('/services/999/stream-events')
    err = d.find_element(By.CSS_SELECTOR, '.se-error')
    check(err.is_displayed() and '404' in err.text, f'unknown service: {err.text!r}')
    axe_clean('404')
    # A removed service carries its label: title, rows and pickers.
    open_page('/services/113/stream-events')
    check('Removed' in d.find_element(By.CSS_SELECTOR, '.se-title').text, 'removed service titled so')
    open_page('/stream-events?service_id=113')
    labels = [r.find_element(By.CSS_SELECTOR, '.se-service').text for r in rows()]
    check(labels and all('Removed' in x for x in labels), f'its rows say so: {labels[:2]}')
    check('Club Beats Weekender (Removed)' in [o.text for o in Select(d.find_element(By.ID, 'se-service')).options],
          'and the service picker')
    sign_in('admin')


def dj_of(row):
    names = row.find_elements(By.CSS_SELECTOR, '.se-actor-dj .se-actor-name')
    return names[0].get_attribute('textContent') if names else None


def t_hostile_dj():
    open_page('/stream-events')
    sign_in('admin')
    d.find_element(By.ID, 'se-q').send_keys('onerror\n')
    settled()
    check('q=onerror' in d.current_url and total() > 0, 'search by DJ name')
    cells = [c for c in css('.se-actor-name') if c.get_attribute('textContent') == HOSTILE]
    check(cells and cells[0].text == HOSTILE, 'the hostile DJ name renders as text')
    check(not css('#se-app img'), 'no <img> element came from the data')
    rows()[[dj_of(r) for r in rows()].index(HOSTILE)].find_element(By.CSS_SELECTOR, '.se-toggle').click()
    raw = d.find_element(By.CSS_SELECTOR, 'tr.se-details:not([hidden]) pre').get_attribute('textContent')
    check(HOSTILE in raw, 'raw JSON shows it as text too')
    open_page('/stream-events?q=' + 'script')
    msgs = [c.get_attribute('textContent') for c in css('td.se-message')]
    check(any('<script>' in m for m in msgs) and not css('#se-app script'), 'a <script> title is text, not markup')
    check(no_alerts(), 'no alert fired')
    d.save_screenshot(os.path.join(SHOTS, 'hostile-dj.png'))


def t_bidi_isolated():
    # Finding 8 of RELIABILITY.md: U+202E in a DJ name reversed the rest of the line, IP included.
    open_page('/stream-events?q=Mallory')
    row = next((r for r in rows() if dj_of(r) == BIDI and r.get_attribute('data-type') == 'dj.connect'), None)
    check(row is not None, 'the bidi DJ is listed')
    check(row.find_element(By.CSS_SELECTOR, 'bdi.se-actor-name').get_attribute('textContent') == BIDI, 'the actor cell isolates the name')
    geometry = d.execute_script('''
        const cell = arguments[0], name = [...cell.querySelectorAll('bdi')].find(b => b.textContent === arguments[1]);
        if (!name || !name.nextSibling) return null;
        const range = document.createRange();
        range.selectNodeContents(name.nextSibling);
        const rest = range.getClientRects()[0], box = name.getBoundingClientRect();
        return {rest: name.nextSibling.textContent, restLeft: rest.left, restTop: rest.top, nameRight: box.right, nameTop: box.top};''',
        row.find_element(By.CSS_SELECTOR, 'td.se-message'), BIDI)
    check(geometry is not None and '203.0.113.77' in geometry['rest'], f'the message isolates the name: {geometry}')
    check(abs(geometry['restTop'] - geometry['nameTop']) < 3 and geometry['restLeft'] >= geometry['nameRight'] - 1,
          f'the rest of the line (IP included) stays to the right of the name: {geometry}')
    row.find_element(By.CSS_SELECTOR, '.se-toggle').click()
    raw = d.find_element(By.CSS_SELECTOR, 'tr.se-details:not([hidden]) pre').get_attribute('textContent')
    check('\\u202e' in raw and '\u202e' not in raw, 'the raw JSON shows the override as an escape')
    d.save_screenshot(os.path.join(SHOTS, 'bidi-dj.png'))


def t_bad_parameters():
    # Finding 7 of RELIABILITY.md: a bad parameter in the page URL showed "0 events".
    for query, words in [('from=2026-13-45', 'from must be'), ('serviceId=101', 'did you mean service_id?'),
                         ('categroy=dj', 'did you mean category?'), ('per_page=501', 'per_page must be an integer from 1 to 500')]:
        open_page('/stream-events?' + query)
        err = d.find_element(By.CSS_SELECTOR, '.se-error')
        check(err.is_displayed() and err.get_attribute('data-status') == '400' and words in err.text, f'{query}: {err.text!r}')
        check(not css('#se-total') or not d.find_element(By.ID, 'se-total').is_displayed(), f'{query}: no event count shown')
        check(api('/controller/EventLog?' + query)['status'] == 400, f'{query}: the API says the same')
    axe_clean('400')
    d.find_element(By.ID, 'se-reset').click()
    settled()
    check(total() > 0 and '?' not in d.current_url, 'Clear filters recovers from a bad URL')


def t_filters():
    open_page('/stream-events')
    all_total = total()
    # A preset: the last 24 hours, in the URL, relative to now.
    d.find_element(By.CSS_SELECTOR, '.se-preset[data-range="24h"]').click()
    settled()
    check('range=24h' in d.current_url and 0 < total() < all_total, f'24 h preset: {total()} of {all_total}')
    check(d.find_element(By.CSS_SELECTOR, '.se-preset[data-range="24h"]').get_attribute('aria-pressed') == 'true', 'preset pressed')
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=24, minutes=1)
    for t in css('tr.se-row time'):
        check(dt.datetime.fromisoformat(t.get_attribute('datetime').replace('Z', '+00:00')) >= since, 'inside the last 24 h')
    # Several types at once, in the URL.
    d.find_element(By.ID, 'se-types-summary').click()
    for type_id in ('dj.on_air', 'mount.connect'):
        d.find_element(By.CSS_SELECTOR, f'.se-types input[value="{type_id}"]').click()
        settled()
    in_url = urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query).get('type', [''])[0].split(',')
    check(sorted(in_url) == ['dj.on_air', 'mount.connect'], f'two types in the URL: {d.current_url}')
    check({r.get_attribute('data-type') for r in rows()} <= {'dj.on_air', 'mount.connect'} and rows(), 'only those types')
    check(d.find_element(By.ID, 'se-types-summary').text == '2 types', 'the summary counts them')
    axe_clean('types drop-down open')
    d.find_element(By.ID, 'se-reset').click()
    settled()
    # The customer picker narrows the service picker; the service picker filters.
    Select(d.find_element(By.ID, 'se-customer')).select_by_visible_text('Radio Nova')
    settled()
    names = [o.text for o in Select(d.find_element(By.ID, 'se-service')).options]
    check(names == ['Any service', 'Nova Talk', 'Radio Nova Live', 'Radio Nova Nonstop'], f'Radio Nova\'s services: {names}')
    shown = {r.find_element(By.CSS_SELECTOR, '.se-service a').text for r in rows()}
    check(rows() and shown <= set(names[1:]), f'the customer picker filters: only Radio Nova\'s events ({shown})')
    Select(d.find_element(By.ID, 'se-service')).select_by_visible_text('Nova Talk')
    settled()
    check('customer_id=4' in d.current_url and 'service_id=103' in d.current_url, d.current_url)
    check({r.find_element(By.CSS_SELECTOR, '.se-service a').text for r in rows()} == {'Nova Talk'}, 'one service\'s events')
    d.refresh()
    settled()
    check(Select(d.find_element(By.ID, 'se-service')).first_selected_option.text == 'Nova Talk', 'reload keeps the pickers')
    # Search and Enter: one history entry, not two.
    open_page('/stream-events')
    before = d.execute_script('return history.length')
    d.find_element(By.ID, 'se-q').send_keys('Alice\n')
    settled()
    check(d.execute_script('return history.length') == before + 1 and 'q=Alice' in d.current_url, 'one history entry per search')
    d.back()
    settled()
    check('q=' not in d.current_url and total() == all_total, 'Back undoes the search')
    # The empty state has nothing to page through.
    open_page('/stream-events?q=no-such-thing-anywhere')
    check(total() == 0 and css('tr.se-empty') and not d.find_element(By.CSS_SELECTOR, '.se-pager').is_displayed(),
          'empty: a message, no dead pager')
    axe_clean('empty view')


PAGES = [('global', '/stream-events'), ('service', '/services/101/stream-events?category=dj')]


def t_layouts():
    for width, height in ((390, 844), (1280, 800), (1440, 900)):
        for dark in (False, True):
            emulate(width, height, dark)
            for name, path in PAGES:
                open_page(path)
                what = f'{name} {width}px {"dark" if dark else "light"}'
                layout_ok(what)
                d.save_screenshot(os.path.join(SHOTS, f'layout-{name}-{width}-{"dark" if dark else "light"}.png'))
                if width == 390:
                    check(not d.find_element(By.ID, 'demo-menu-items').is_displayed(), f'{what}: the menu is folded')
                    tops = {round(e.rect['y']) for e in d.find_elements(By.CSS_SELECTOR, '.se-pager > *')}
                    check(max(tops) - min(tops) <= 8, f'{what}: the pager on one line {tops}')
                if width == 1440 or width == 390:
                    axe_clean(what)
            if dark:
                bg = d.execute_script('return getComputedStyle(document.getElementById("se-app")).backgroundColor')
                check(sum(int(x) for x in bg[bg.index('(') + 1:].rstrip(')').split(',')[:3]) < 120, f'dark scheme followed: {bg}')
    emulate(390, 844)
    open_page('/stream-events')
    d.find_element(By.CSS_SELECTOR, '.demo-menu-toggle').click()
    check(d.find_element(By.ID, 'demo-menu-items').is_displayed(), 'the folded menu opens')
    check(not d.find_element(By.ID, 'se-from').is_displayed() and d.find_element(By.ID, 'se-q').is_displayed(),
          'on a phone the filters fold away, the search stays')
    d.find_element(By.ID, 'se-filters-toggle').click()
    check(d.find_element(By.ID, 'se-from').is_displayed(), 'and unfold')
    layout_ok('390px, filters open')
    rows()[0].find_element(By.CSS_SELECTOR, '.se-toggle').click()
    layout_ok('390px, details open')
    d.save_screenshot(os.path.join(SHOTS, 'layout-global-390-details.png'))
    emulate()


def t_embedded():
    host_styles = lambda: d.execute_script('''
        const s = e => getComputedStyle(document.querySelector(e));
        return [s('body').backgroundColor, s('#host-home').color, s('#host-button').backgroundColor, s('body').fontFamily];''')
    for width, dark in ((1280, False), (390, False), (1280, True)):
        emulate(width, 900, dark)
        open_page('/host/stream-events')
        what = f'embedded {width}px {"dark" if dark else "light"}'
        check(not css('#se-demo-banner') and css('main#host-content #se-app'), f'{what}: inside the host\'s layout, no demo frame')
        layout_ok(what)
        content = d.find_element(By.ID, 'host-content').rect
        app = d.find_element(By.ID, 'se-app').rect
        check(app['x'] >= content['x'] - 0.5 and app['x'] + app['width'] <= content['x'] + content['width'] + 0.5,
              f'{what}: within the host\'s column {app} {content}')
        check(host_styles() == ['rgb(253, 246, 227)', 'rgb(253, 246, 227)', 'rgb(255, 215, 0)', 'Georgia, serif'],
              f'{what}: the host keeps its own look {host_styles()}')
        th = css('.se-table th')[1]
        check(th.value_of_css_property('text-align') == 'left', f'{what}: the host\'s element rules do not reach the table')
        link = css('tr.se-row .se-service a')[0]
        check(link.get_attribute('href').endswith('/host/services/' + link.get_attribute('href').split('/')[-2] + '/stream-events'),
              f'{what}: service links under the host\'s paths')
        d.save_screenshot(os.path.join(SHOTS, f'embedded-{width}-{"dark" if dark else "light"}.png'))
        axe_clean(what)
    emulate()


def t_german():
    emulate(language='de-DE,de;q=0.9,en;q=0.5')
    try:
        open_page('/stream-events?category=service&type=service.bitrate_warning')
        check(d.find_element(By.TAG_NAME, 'html').get_attribute('lang') == 'de', 'the document is German')
        check(d.find_element(By.CSS_SELECTOR, '.se-tab[data-category="all"]').text == 'Alle Ereignisse', 'German tabs')
        check(d.find_element(By.ID, 'se-total').text.endswith('Ereignisse'), d.find_element(By.ID, 'se-total').text)
        msg = rows()[0].find_element(By.CSS_SELECTOR, 'td.se-message').text
        check(msg in ('Bitrate 320 kbps überschreitet das Limit von 128 kbps', 'Bitrate 256 kbps überschreitet das Limit von 128 kbps'),
              f'a German sentence from the raw fields: {msg!r}')
        # 'vor 3 Tagen', or 'gestern' / 'vorgestern' when the newest warning is a day or two old.
        rel = rows()[0].find_element(By.CSS_SELECTOR, '.se-rel').text
        check(rel.startswith('vor ') or rel in ('gestern', 'vorgestern'), f'German relative time: {rel!r}')
        open_page('/services/102/stream-events?type=service.suspend')
        msg = rows()[0].find_element(By.CSS_SELECTOR, 'td.se-message').text
        check(msg == 'Das System hat den Dienst gesperrt: Bandbreitenlimit überschritten (512 von 500 GB verbraucht)', msg)
        # Search is on the stored text, so it finds DJs, addresses and titles whatever the language.
        for q, words in (('Mallory', 'hat sich von 203.0.113.77 verbunden'), ('203.0.113.66', 'Mount /live ist online auf ice.demo.example:8000'),
                         ('Live Set', 'hat den Songtitel auf')):
            open_page('/stream-events?q=' + q.replace(' ', '+'))
            texts = [c.text for c in css('td.se-message')]
            check(total() > 0 and any(words in x for x in texts), f'search {q!r} in German: {texts[:3]}')
        rows()[0].find_element(By.CSS_SELECTOR, '.se-toggle').click()
        dts = [e.text for e in d.find_elements(By.CSS_SELECTOR, 'tr.se-details:not([hidden]) dt')]
        check('Gespeicherter Text' in dts and 'Ereignis-ID' in dts, f'German details: {dts}')
        d.save_screenshot(os.path.join(SHOTS, 'german.png'))
        axe_clean('German')
        open_page('/stream-events?per_page=501')
        check('400' in d.find_element(By.CSS_SELECTOR, '.se-error').text, 'errors in German too')
        axe_clean('German 400')
    finally:
        emulate()


def t_keyboard():
    open_page('/stream-events')
    d.execute_script('document.getElementById("se-app").focus(); document.activeElement.blur();')
    body = d.find_element(By.TAG_NAME, 'body')
    # From the top of the page: the demo's own controls, then the skip link.
    presses = 0
    while d.switch_to.active_element.get_attribute('class') != 'se-skip' and presses < 30:
        body.send_keys(Keys.TAB) if presses == 0 else d.switch_to.active_element.send_keys(Keys.TAB)
        presses += 1
    check(d.switch_to.active_element.get_attribute('class') == 'se-skip', f'a skip link within {presses} Tab presses')
    d.switch_to.active_element.send_keys(Keys.ENTER)
    check(d.switch_to.active_element.get_attribute('id') == 'se-results', 'the skip link lands on the events')
    d.switch_to.active_element.send_keys(Keys.TAB)
    toggle = d.switch_to.active_element
    check('se-toggle' in toggle.get_attribute('class'), 'one Tab more: the first event')
    toggle.send_keys(Keys.ENTER)
    check(toggle.get_attribute('aria-expanded') == 'true' and css('tr.se-details:not([hidden])'), 'Enter opens its details')
    toggle.send_keys(Keys.SPACE)
    check(toggle.get_attribute('aria-expanded') == 'false' and not css('tr.se-details:not([hidden])'), 'Space closes them')
    # Tabs: arrows move and choose, Home and End jump.
    d.find_element(By.CSS_SELECTOR, '.se-tab-active').send_keys(Keys.ARROW_RIGHT)
    settled()
    active = d.switch_to.active_element
    check(active.get_attribute('data-category') == 'service' and 'category=service' in d.current_url, 'ArrowRight: the next tab')
    check(active.get_attribute('aria-selected') == 'true' and active.get_attribute('tabindex') == '0', 'selected and in the Tab order')
    active.send_keys(Keys.END)
    settled()
    check(d.switch_to.active_element.get_attribute('data-category') == 'autodj', 'End: the last tab')
    d.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    settled()
    check(d.switch_to.active_element.get_attribute('data-category') == 'all', 'and round again')
    check(len({a.get_attribute('textContent') for a in css('.demo-menu a')}) == len(css('.demo-menu a')), 'menu links named apart')
    axe_clean('keyboard walk')


TESTS = [t_global_page, t_tabs, t_date_range, t_paging, t_details, t_export_csv, t_customer_scope, t_reseller_scope, t_hostile_dj,
         t_bidi_isolated, t_bad_parameters, t_filters, t_layouts, t_embedded, t_german, t_keyboard]
# Last: they log events into the store the others count.
TESTS += live_checks.checks(sys.modules[__name__])

ONLY = os.environ.get('UI_ONLY', '').split()
passed = failed = 0
try:
    for t in [t for t in TESTS if not ONLY or t.__name__[2:] in ONLY]:
        name = t.__name__[2:]
        started = time.time()
        try:
            t()
            passed += 1
            print(f'ok   {name} ({time.time() - started:.1f}s)', flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print(f'FAIL {name}: {e}', flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc()
            try:
                d.save_screenshot(os.path.join(SHOTS, f'fail-{name}.png'))
            except Exception:  # noqa: BLE001
                pass
finally:
    d.quit()
print(f'ui: {passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
