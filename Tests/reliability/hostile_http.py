#!/usr/bin/env python3
"""Hostile values in every HTTP parameter of GET /controller/EventLog (and the
service path), against a real php -S server on a store filled by hostile.php. (1 MB values
exceed any web server's request line; hostile.php hands those to the controller.)

Every response must be a clean answer: 200 with valid JSON (or CSV/JSONL for a
download) or a 4xx JSON error {"error": {"code", "message"}}; never a 5xx, a
dropped connection or a dead server. Hits for q must really contain q (so % and
_ are literal), CSV cells never start a formula, scope holds over HTTP, and the
pages never echo markup from the query string. Every JSON and CSV answer says
X-Content-Type-Options: nosniff and none says X-Powered-By (finding 10); an
unknown parameter is a 400 naming it and the spelling meant (finding 7); HEAD
of a download is its headers only (finding 9).

Usage: hostile_http.py BASE_URL
"""
import csv, http.client, io, json, sys, urllib.parse

base = urllib.parse.urlsplit(sys.argv[1])
errors, answered = [], {}
ADMIN, RESELLER, CUSTOMER = "demo-admin", "demo-reseller", "demo-customer"


def get(target, token=ADMIN, method="GET"):
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        if token:
            conn.putheader("Authorization", "Bearer " + token)
        conn.endheaders()
        r = conn.getresponse()
        body = r.read()
        ctype = r.getheader("Content-Type") or ""
        if ctype.split(";")[0] in ("application/json", "text/csv", "application/x-ndjson") and r.getheader("X-Content-Type-Options") != "nosniff":
            errors.append(f"{method} {target[:100]}: {ctype} without X-Content-Type-Options: nosniff")
        if r.getheader("X-Powered-By") is not None:
            errors.append(f"{method} {target[:100]}: X-Powered-By: {r.getheader('X-Powered-By')}")
        return r.status, ctype, body
    except Exception as e:  # a crashed or hung worker
        return None, "", repr(e).encode()
    finally:
        conn.close()


def check(target, token=ADMIN, q=None, expect=None):
    status, ctype, body = get(target, token)
    shown = target if len(target) < 120 else target[:117] + "..."
    answered[status] = answered.get(status, 0) + 1
    if status is None or status >= 500:
        errors.append(f"{shown} ({token}): {status} {body[:200]!r}")
        return status, None
    if expect is not None and status != expect:
        errors.append(f"{shown} ({token}): {status}, expected {expect}: {body[:200]!r}")
    if status != 200 or ctype.startswith("application/json"):
        try:
            doc = json.loads(body)
        except ValueError:
            errors.append(f"{shown}: {status} body is not JSON: {body[:120]!r}")
            return status, None
        if status != 200:
            if not (isinstance(doc.get("error"), dict) and doc["error"].get("code") and doc["error"].get("message")):
                errors.append(f"{shown}: {status} without an error code and message: {body[:200]!r}")
            return status, doc
        q = q.strip(" \t\n\r\0\x0b") if q is not None else None  # the controller trims like PHP's trim()
        if q:
            for row in doc["logs"]:
                hay = "\n".join(str(row.get(k) or "") for k in ("djName", "sourceIp", "message")).lower()
                if q.lower() not in hay:
                    errors.append(f"{shown}: event {row['id']} does not contain q={q!r}: {hay!r}")
        return status, doc
    if ctype.startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        for row in rows[1:]:
            for cell in row:
                if cell and cell[0] in "=+-@\t\r\n" and not cell.lstrip("-").replace(".", "", 1).isdigit():
                    errors.append(f"{shown}: CSV cell starts a formula: {cell[:40]!r}")
    return status, body


nasty = ["' OR 1=1 --", "1; DROP TABLE event", "%", "_", "%_", "\\", "\x00", "a\x00b", "\udcff", "\xff\xfe",
         "x" * 6000, "-1", "0", "1.5", "1e3", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
         "0001-01-01", "9999-12-31", "10000-01-01T00:00:00Z", "2026-02-30", "2026-11-27T25:61:00Z",
         "1970-01-01T00:00:00+23:59", "::1", "2001:db8::7", "256.256.256.256", "<script>alert(1)</script>",
         "\"><svg onload=alert(1)>", "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "csv", "jsonl", "", " ", "a,b",
         "dj.connect,dj.kicked", "dj.connect,nope", "service", "all", "system", "../../etc/passwd", "\r\nX-Injected: 1"]
params = ["category", "type", "service_id", "actor", "from", "to", "q", "page", "per_page", "format", "bom"]


def encode(value):
    return urllib.parse.quote(value.encode("utf-8", "surrogateescape"), safe="")


for p in params:
    for v in nasty:
        enc = encode(v)
        check(f"/controller/EventLog?{p}={enc}", q=v if p == "q" else None)
        if len(v) < 100:
            check(f"/controller/EventLog?{p}[]={enc}&{p}[x]=1")
            check(f"/controller/EventLog/10?{p}={enc}&{p}={enc}", token=CUSTOMER, q=v if p == "q" else None)
            check(f"/controller/EventLog/11?{p}={enc}", token=CUSTOMER)
# Combinations that pass validation and reach the library.
for q in ["%", "_", "%_", "100%_off", "'", "\\", "<b>", "=cmd", "2001:db8"]:
    for fmt in ["", "csv", "jsonl"]:
        check(f"/controller/EventLog?q={encode(q)}&per_page=500" + (f"&format={fmt}" if fmt else ""), q=q)
for page in ["1000000", "999999", "1"]:
    check(f"/controller/EventLog?page={page}&per_page=500&from=0&to=253402300799999")
# The service in the path.
for v in nasty[:40] + ["10", "010", "10.0", "10/", "10/x", "11", "999999", "18446744073709551616"]:
    if len(v) < 100:
        check("/controller/EventLog/" + encode(v))
# Scope over HTTP: the customer sees its own service, not Bob's; unknown is 404; no token is 401.
check("/controller/EventLog/10", token=CUSTOMER, expect=200)
check("/controller/EventLog/11", token=CUSTOMER, expect=403)
check("/controller/EventLog/11?format=csv", token=CUSTOMER, expect=403)
check("/controller/EventLog/11", token=RESELLER, expect=403)
check("/controller/EventLog/10?format=jsonl", token=RESELLER, expect=200)
check("/controller/EventLog/987654", token=CUSTOMER, expect=404)
for token in [None, "Demo-Admin", "demo-root", "' OR 1=1", "x" * 10000]:
    check("/controller/EventLog", token=token, expect=401)
status, doc = check("/controller/EventLog?per_page=500", token=CUSTOMER, expect=200)
if doc and any(row["serviceId"] != 10 for row in doc["logs"]):
    errors.append("customer 4 sees events of other services: " + str({row["serviceId"] for row in doc["logs"]}))
# The pages: markup from the query string is never echoed as markup.
for p in ["q", "type", "category", "actor", "from", "page"]:
    for token in [ADMIN, CUSTOMER]:
        for path in ["/stream-events", "/services/10/stream-events"]:
            status, ctype, body = get(f"{path}?{p}={encode('<script>alert(1)</script>')}", token)
            answered[status] = answered.get(status, 0) + 1
            if status is None or status >= 500 or b"<script>alert(1)" in body:
                errors.append(f"{path}?{p}=<script>: {status}, echoed markup: {b'<script>alert(1)' in body}")
# Unknown parameters: a 400 naming them, with the spelling meant (finding 7).
for name, meant in [("serviceId", "service_id"), ("perPage", "per_page"), ("categroy", "category"), ("types", "type")]:
    status, doc = check(f"/controller/EventLog?{name}=5", expect=400)
    if doc and (doc["error"].get("parameter") != name or f"did you mean {meant}?" not in doc["error"]["message"]):
        errors.append(f"?{name}=5: {doc['error']}")
# The library judges, the API names its own parameter, and nothing of the call leaks.
status, doc = check("/controller/EventLog?q=" + "%C3%A9" * 150, expect=400)
if doc and (doc["error"].get("parameter") != "q" or "el_" in doc["error"]["message"] or "EL_" in doc["error"]["message"]):
    errors.append(f"q of 150 x e-acute: {doc['error']}")
# HEAD of a download: the headers, no body (finding 9).
for target in ["/controller/EventLog?format=csv", "/controller/EventLog/10?format=jsonl"]:
    status, ctype, body = get(target, ADMIN, "HEAD")
    answered[status] = answered.get(status, 0) + 1
    if status != 200 or body or not ctype.startswith(("text/csv", "application/x-ndjson")):
        errors.append(f"HEAD {target}: {status} {ctype} with {len(body)} bytes of body")
# Still alive.
if get("/controller/EventLog?per_page=1")[0] != 200:
    errors.append("the server no longer answers")

total = sum(answered.values())
print(f"hostile (http): {total} requests, statuses {dict(sorted((str(k), v) for k, v in answered.items()))}")
for e in errors[:40]:
    print("  " + e.replace("\x00", "\\0")[:300], file=sys.stderr)
sys.exit(1 if errors else 0)
