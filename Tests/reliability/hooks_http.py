#!/usr/bin/env python3
"""Hook endpoints against a real php -S server: wrong secrets are refused (403)
and log nothing; the right one works; and no per-service secret (nor the panel
key) can be read back through the API, the exports, the pages or the store file.

Usage: hooks_http.py BASE_URL HOOK_KEY STORE   (a file, or a mysql:// URI: then its dump)
"""
import hashlib, hmac, http.client, json, subprocess, sys, urllib.parse

base = urllib.parse.urlsplit(sys.argv[1])
key, store = sys.argv[2].encode(), sys.argv[3]
errors, requests = [], 0


def secret(service):  # what the panel puts in the hook URL (HookSecret::forService)
    return hmac.new(key, f"stream-events/hook/v1/service/{service}".encode(), hashlib.sha256).hexdigest()


def call(method, target, body=None, token=None):
    global requests
    requests += 1
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    if token:
        headers["Authorization"] = "Bearer " + token
    try:
        conn.request(method, target, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    except Exception as e:
        return None, repr(e).encode()
    finally:
        conn.close()


def total():
    status, body = call("GET", "/controller/EventLog?per_page=1", token="demo-admin")
    return json.loads(body)["total"] if status == 200 else None


form = urllib.parse.urlencode({"action": "mount_add", "mount": "/live", "server": "ice", "port": "8000", "ip": "198.51.100.1"})
before = total()
s10 = secret(10)
wrong = {
    "none": "", "another service's": secret(11), "truncated": s10[:-1], "one digit changed": s10[:-1] + ("0" if s10[-1] != "0" else "1"),
    "upper case": s10.upper(), "extra char": s10 + "0", "NUL appended": s10 + "%00", "1 KB": "a" * 1024,
    "SQL": "x'%20OR%20'1'='1", "traversal": "..%2F..%2Fstream-events-hook.key", "the key itself": urllib.parse.quote(key.decode(), safe=""),
}
for server in ["icecast", "liquidsoap"]:
    for name, sec in wrong.items():
        for target in [f"/hooks/{server}/10/{sec}", f"/hooks/{server}/10?secret={sec}"]:
            status, body = call("POST", target, form)
            if status != 403 and not (name == "none" and status in (403, 404)):
                errors.append(f"POST {target[:80]} ({name} secret): {status}, expected 403: {body[:120]!r}")
            if s10.encode() in body:
                errors.append(f"{target[:60]}: the right secret is echoed in the refusal")
after_wrong = total()
if after_wrong != before:
    errors.append(f"wrong secrets logged {after_wrong - before} events")

# The right secret works (so the refusals above are about the secret), GET is refused.
status, body = call("POST", f"/hooks/icecast/10/{s10}", form)
if status != 200:
    errors.append(f"the right secret was refused: {status} {body[:200]!r}")
status, _ = call("GET", f"/hooks/icecast/10/{s10}")
if status not in (403, 405):
    errors.append(f"GET with the right secret: {status}")
if total() != (after_wrong or 0) + 1:
    errors.append("the accepted hook did not log exactly one event")

# Nothing the API hands out contains a secret or the key.
needles = [secret(s).encode() for s in range(1, 200)] + [key]
for token in ["demo-admin", "demo-reseller", "demo-customer"]:
    for target in ["/controller/EventLog?per_page=500", "/controller/EventLog?format=csv", "/controller/EventLog?format=jsonl",
                   "/controller/EventLog/10?per_page=500", "/stream-events", "/services/10/stream-events",
                   "/stream-events-hook.key", "/../var/stream-events-hook.key"]:
        status, body = call("GET", target, token=token)
        if status is None or status >= 500:
            errors.append(f"GET {target} ({token}): {status}")
        if any(n in body for n in needles):
            errors.append(f"GET {target} ({token}) reveals a hook secret or the key")
if store.startswith("mysql://"):  # everything the database holds, as mariadb-dump writes it
    u = urllib.parse.urlsplit(store)
    data = subprocess.run(["mariadb-dump", "--no-defaults", "--skip-extended-insert", "--host", u.hostname, "--port", str(u.port),
                           "--user", urllib.parse.unquote(u.username), "--password=" + urllib.parse.unquote(u.password), u.path[1:]],
                          capture_output=True, check=True).stdout
    if b"INSERT INTO `event`" not in data:
        errors.append("the dump of the store holds no events: it cannot show that no secret is stored")
else:
    with open(store, "rb") as f:
        data = f.read()
if any(n in data for n in needles):
    errors.append("the store file contains a hook secret or the key")

print(f"hooks (http): {requests} requests; {2 * len(wrong) * 2} wrong-secret posts refused with 403, nothing logged; "
      f"no secret readable through the API, exports, pages or store")
for e in errors[:30]:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
