#!/usr/bin/env python3
"""Browser test of the Stream Events pages against a running demo server.

Drives Debian's headless chromium through Selenium: tabs, date range, paging,
row details, CSV export, customer scope, the hostile DJ names and bad parameters in the page URL. Prints one
line per check and a summary `ui: N passed, M failed`; exits 1 on failure.

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

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

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
    Select(d.find_element(By.ID, 'se-demo-user')).select_by_value('demo-' + who)
    wait.until(lambda drv: drv.execute_script('return document.readyState') == 'complete')
    settled()


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
    check(t0.get_attribute('title').startswith(utc.strftime('%Y-%m-%dT%H:%M:%S')) and '(UTC)' in t0.get_attribute('title'),
          f'UTC on hover: {t0.get_attribute("title")}')
    check(local.strftime('%I:%M:%S').lstrip('0') in t0.text or local.strftime('%H:%M:%S') in t0.text,
          f'local time ({TZ}) shown: {t0.text!r} for {utc}')
    check(css('tr.se-row-system') and css('tr.se-row-dj, tr.se-row-user'), 'system and people rows both present')
    sys_color = css('tr.se-row-system td.se-message')[0].value_of_css_property('color')
    other_color = css('tr.se-row:not(.se-row-system) td.se-message')[0].value_of_css_property('color')
    check(sys_color != other_color, f'system rows look different ({sys_color} vs {other_color})')
    d.save_screenshot(os.path.join(SHOTS, 'global-admin.png'))


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
    check(dl.get('Time (UTC)', '').endswith('Z'), 'UTC time in details')
    d.save_screenshot(os.path.join(SHOTS, 'details-open.png'))
    row.find_element(By.CSS_SELECTOR, 'td.se-message').click()  # anywhere on the row but a link
    check(not detail.is_displayed(), 'details close again')


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
    menu = [a.text for a in css('.se-menu-service bdi')]
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
    check(any(r.get_attribute('data-type') == 'service.suspend' for r in rows()), 'the bandwidth suspension is listed')
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
    menu = [a.text for a in css('.se-menu-service bdi')]
    check(len(menu) == 6 and 'WaveHost Promo Stream' in menu and 'Skyline Jazz' not in menu, f'reseller menu: {menu}')
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
    sign_in('admin')


def t_hostile_dj():
    open_page('/stream-events')
    sign_in('admin')
    d.find_element(By.ID, 'se-q').send_keys('onerror\n')
    settled()
    check('q=onerror' in d.current_url and total() > 0, 'search by DJ name')
    cells = [c for c in css('td.se-dj') if c.get_attribute('textContent') == HOSTILE]
    check(cells and cells[0].text == HOSTILE, 'the hostile DJ name renders as text')
    check(not css('#se-app img'), 'no <img> element came from the data')
    rows()[[r.find_element(By.CSS_SELECTOR, 'td.se-dj').get_attribute('textContent') for r in rows()].index(HOSTILE)] \
        .find_element(By.CSS_SELECTOR, '.se-toggle').click()
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
    row = next((r for r in rows() if r.find_element(By.CSS_SELECTOR, 'td.se-dj').get_attribute('textContent') == BIDI), None)
    check(row is not None, 'the bidi DJ is listed')
    check(row.find_element(By.CSS_SELECTOR, 'td.se-dj bdi').get_attribute('textContent') == BIDI, 'the DJ cell isolates the name')
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
    d.find_element(By.ID, 'se-reset').click()
    settled()
    check(total() > 0 and '?' not in d.current_url, 'Clear filters recovers from a bad URL')


TESTS = [t_global_page, t_tabs, t_date_range, t_paging, t_details, t_export_csv, t_customer_scope, t_reseller_scope, t_hostile_dj,
         t_bidi_isolated, t_bad_parameters]

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
