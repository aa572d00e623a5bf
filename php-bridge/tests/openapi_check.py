#!/usr/bin/env python3
"""Validates php-bridge/openapi.yaml (OpenAPI 3.1), then checks real responses
of a running server against it: status documented for the operation, media
type documented, body valid against the documented schema, documented
headers present and valid, no X-Powered-By; and the parameter errors the
library judges, as the API names them.

usage: openapi_check.py SPEC BASE_URL   (the server must serve the seeded test store)
"""
import csv
import io
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:stream-events:openapi"


def pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class Checker:
    def __init__(self, spec_path, base):
        with open(spec_path, encoding="utf-8") as f:
            self.spec = yaml.safe_load(f)
        validate_spec(self.spec)  # raises on an invalid OpenAPI 3.1 document
        self.registry = Registry().with_resource(SPEC_URI, Resource.from_contents(self.spec, default_specification=DRAFT202012))
        self.base = base.rstrip("/")
        self.failures = []
        self.checked = 0

    def resolve(self, obj):
        while "$ref" in obj:
            node = self.spec
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            obj = node
        return obj

    def validator(self, ref):
        return Draft202012Validator({"$ref": SPEC_URI + ref}, registry=self.registry, format_checker=FormatChecker())

    def errors(self, ref, instance):
        return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in self.validator(ref).iter_errors(instance)]

    def get(self, path, token, method="GET", headers=None):
        headers = dict(headers or {}, **({"Authorization": f"Bearer {token}"} if token else {}))
        req = urllib.request.Request(self.base + path, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def fail(self, name, message):
        self.failures.append(f"{name}: {message}")

    def check(self, name, template, path, token, status, extra=None, method="GET", request_headers=None):
        """Requests path and checks the response against the operation at template."""
        self.checked += 1
        got, headers, body = self.get(path, token, method, request_headers)
        if got != status:
            return self.fail(name, f"status {got}, expected {status}; body {body[:300]!r}")
        if headers.get("X-Powered-By") is not None:
            self.fail(name, f"X-Powered-By: {headers['X-Powered-By']}")
        responses = self.spec["paths"][template][method.lower()]["responses"]
        if str(got) not in responses:
            return self.fail(name, f"status {got} is not documented for {method} {template}")
        resp_ref = responses[str(got)].get("$ref", pointer("paths", template, method.lower(), "responses", got))
        response = self.resolve(responses[str(got)])
        media = (headers.get("Content-Type") or "").split(";")[0].strip()
        if got == 304:
            if body:
                self.fail(name, f"304 with a body: {body[:100]!r}")
            self.check_headers(name, response, resp_ref, headers)
            return None
        if media not in response.get("content", {}):
            return self.fail(name, f"Content-Type {media!r} is not documented for {got}")
        schema_ref = resp_ref + "/content/" + media.replace("/", "~1") + "/schema"
        if method == "HEAD":
            instance = body.decode("utf-8")
            if body:
                self.fail(name, f"HEAD answered with a body: {body[:100]!r}")
        elif media == "application/json":
            instance = json.loads(body)
        else:
            instance = body.decode("utf-8")
        for problem in ([] if method == "HEAD" else self.errors(schema_ref, instance)):
            self.fail(name, "body does not match the spec: " + problem)
        # Content-Disposition: downloads only; ETag: JSON pages only.
        self.check_headers(name, response, resp_ref, headers, {"ETag"} if media != "application/json" else {"Content-Disposition"})
        if extra:
            try:
                extra(instance, headers)
            except AssertionError as e:
                self.fail(name, str(e) or "assertion failed")
        return instance

    def check_headers(self, name, response, resp_ref, headers, not_sent=()):
        """The documented headers are there (but those not_sent with this kind of answer) and valid."""
        for header, spec in response.get("headers", {}).items():
            value = headers.get(header)
            if value is None:
                if header in not_sent:
                    continue
                self.fail(name, f"documented header {header} is missing")
                continue
            header_schema = self.resolve(spec)["schema"]
            if header_schema.get("type") == "integer":
                value = int(value) if value.isdigit() else value
            header_ref = spec.get("$ref", resp_ref + "/headers/" + header)
            for problem in self.errors(header_ref + "/schema", value):
                self.fail(name, f"header {header}: {problem}")


def main():
    spec_path, base = sys.argv[1], sys.argv[2]
    c = Checker(spec_path, base)
    list_t, one_t = "/controller/EventLog", "/controller/EventLog/{id}"
    log_ref = pointer("components", "schemas", "Log")

    def total_is(n):
        def check(page, _):
            assert page["total"] == n, f"total {page['total']}, expected {n}"
        return check

    def names(parameter, message=None):
        def check(body, _):
            assert body["error"]["parameter"] == parameter, f"error names {body['error'].get('parameter')!r}, not {parameter!r}"
            assert message is None or body["error"]["message"] == message, f"message {body['error']['message']!r}, not {message!r}"
        return check

    # Seeded by tests/seed.php (see Fixture::EVENTS_PER_SERVICE): 14 events,
    # reseller 2 sees 12 (not service 44), customer 4 sees 7 (services 42, 46).
    c.check("admin list", list_t, "/controller/EventLog?per_page=5", "demo-admin", 200, total_is(14))
    c.check("reseller list", list_t, "/controller/EventLog?per_page=100", "demo-reseller", 200, total_is(12))
    c.check("customer filtered", list_t, "/controller/EventLog?category=dj&from=2000-01-01&q=Alice", "demo-customer", 200, total_is(3))
    service = c.check("customer service", one_t, "/controller/EventLog/42", "demo-customer", 200, total_is(6))
    c.check("bad per_page", list_t, "/controller/EventLog?per_page=0", "demo-admin", 400, names("per_page"))
    c.check("bad type", one_t, "/controller/EventLog/42?type=dj.bogus", "demo-admin", 400, names("type"))
    c.check("bad path id", one_t, "/controller/EventLog/x42", "demo-admin", 400, names("id"))
    # The library judges; the API speaks of its own parameters (RELIABILITY.md finding 7).
    c.check("library's limit", list_t, "/controller/EventLog?per_page=501", "demo-admin", 400,
            names("per_page", "per_page must be an integer from 1 to 500"))
    c.check("q in bytes", list_t, "/controller/EventLog?q=" + "%C3%A9" * 150, "demo-admin", 400, names("q", "q is longer than 256 bytes"))
    c.check("unknown parameter", list_t, "/controller/EventLog?serviceId=42", "demo-admin", 400,
            names("serviceId", "serviceId is not a parameter of this API; did you mean service_id?"))
    c.check("misspelt parameter", one_t, "/controller/EventLog/42?categroy=dj", "demo-admin", 400,
            names("categroy", "categroy is not a parameter of this API; did you mean category?"))
    c.check("unauthenticated", list_t, "/controller/EventLog", None, 401)
    c.check("other customer's service", one_t, "/controller/EventLog/43", "demo-customer", 403)
    c.check("reseller outside scope", one_t, "/controller/EventLog/44", "demo-reseller", 403)
    c.check("unknown service", one_t, "/controller/EventLog/999", "demo-admin", 404)

    def csv_rows(body, headers):
        rows = list(csv.reader(io.StringIO(body, newline="")))
        assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", ""), "CSV lines must end with CRLF"
        assert len(rows) == 1 + (service["total"] if service else 6), f"{len(rows)} CSV rows"
        assert re.search(r'filename="stream-events-service-42-\d{8}\.csv"', headers["Content-Disposition"])
    c.check("csv download", one_t, "/controller/EventLog/42?format=csv", "demo-customer", 200, csv_rows)

    def bom_first(body, headers):
        assert body.startswith("\ufeff") and not body.startswith("\ufeff\ufeff"), "bom=1: the CSV starts with one byte order mark"
        assert re.search(r'filename="stream-events-service-42-dj-20000101-\d{8}\.csv"', headers["Content-Disposition"]), headers["Content-Disposition"]
    c.check("csv download with bom", one_t, "/controller/EventLog/42?format=csv&bom=1&category=dj&from=2000-01-01", "demo-customer", 200, bom_first)
    c.check("bom on json lines", one_t, "/controller/EventLog/42?format=jsonl&bom=1", "demo-customer", 400, names("bom"))

    def jsonl_rows(body, _):
        lines = body.splitlines()
        assert len(lines) == 12, f"{len(lines)} JSON lines"
        for line in lines:
            for problem in c.errors(log_ref, json.loads(line)):
                raise AssertionError("JSON line does not match Log: " + problem)
    c.check("jsonl download", list_t, "/controller/EventLog?format=jsonl", "demo-reseller", 200, jsonl_rows)
    # HEAD: GET's status and headers, no body (RELIABILITY.md finding 9).
    c.check("head of a download", one_t, "/controller/EventLog/42?format=csv", "demo-customer", 200, method="HEAD")
    c.check("head outside scope", one_t, "/controller/EventLog/43?format=csv", "demo-customer", 403, method="HEAD")
    c.check("head of a page", list_t, "/controller/EventLog", "demo-admin", 200, method="HEAD")

    # Live pages: the cursor as ETag, `after`, and the 304 that answers "nothing new".
    def etag_is_cursor(page, headers):
        assert headers["ETag"] == f'"{page["cursor"]}"', f"ETag {headers['ETag']!r} for cursor {page['cursor']!r}"
    page = c.check("page with its cursor", one_t, "/controller/EventLog/42?category=dj", "demo-customer", 200, etag_is_cursor)
    cursor = urllib.parse.quote(page["cursor"] if page else "none")

    def nothing_since(body, headers):
        # MariaDB may repeat events the viewer already has (the pages merge by id); SQLite gives none.
        seen = [e["id"] for e in page["logs"]] if os.environ.get("STREAM_EVENTS_TEST_ENGINE") == "mariadb" else []
        assert all(e["id"] in seen for e in body["logs"]), f"after: {body}"
        assert body["total"] == 3 and body["cursor"] == page["cursor"], f"after: {body}"
        etag_is_cursor(body, headers)
    c.check("after", one_t, f"/controller/EventLog/42?category=dj&after={cursor}", "demo-customer", 200, nothing_since)
    tag = {"If-None-Match": f'"{page["cursor"] if page else "none"}"'}
    c.check("not modified", one_t, f"/controller/EventLog/42?category=dj&after={cursor}", "demo-customer", 304, request_headers=tag)
    c.check("not modified, global", list_t, f"/controller/EventLog?after={cursor}", "demo-reseller", 304, request_headers=tag)
    c.check("not modified, HEAD", list_t, f"/controller/EventLog?after={cursor}", "demo-admin", 304, method="HEAD", request_headers=tag)
    c.check("stale tag", list_t, f"/controller/EventLog?after={cursor}", "demo-admin", 200, etag_is_cursor,
            request_headers={"If-None-Match": '"s0.0"'})
    c.check("bad after", list_t, "/controller/EventLog?after=yesterday", "demo-admin", 400,
            names("after", "after must be the cursor of an earlier page"))
    c.check("after on page 2", list_t, f"/controller/EventLog?after={cursor}&page=2", "demo-admin", 400, names("page"))
    c.check("misspelt after", list_t, "/controller/EventLog?aftre=14", "demo-admin", 400,
            names("aftre", "aftre is not a parameter of this API; did you mean after?"))

    for f in c.failures:
        print("FAIL", f)
    print(f"openapi: spec valid; {c.checked} responses checked, {len(c.failures)} failures")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
