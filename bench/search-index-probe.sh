#!/usr/bin/env bash
# What an FTS5 trigram index would give the `q` search (BENCHMARKS.md, the search
# item): builds a contentless trigram table (detail=full, so a quoted needle is an
# exact substring match) over DJ name, IP and message of a bench store, merges its
# segments, and times the count of the matches plus the newest 25 ids for the
# bench's four needles (medians of 5 after a warm-up). Over the whole store, with
# no time window or scope; ASCII lower-casing only. Not a target and not part of
# `make bench`: the library keeps no such index.
#
#   bench/search-index-probe.sh STORE [WORKDIR]
#
# STORE is an SQLite store of the library (e.g. var/bench/big-10000000-el.sqlite);
# the index goes to WORKDIR (default a temp folder, removed at the end).
set -eu
store=${1:?usage: bench/search-index-probe.sh STORE [WORKDIR]}
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/stream-events-fts.XXXXXX")}
[ -n "${2:-}" ] || trap 'rm -rf "$work"' EXIT
index=$work/trigram.sqlite
rm -f "$index"
start=$(date +%s)
sqlite3 "$index" "
ATTACH '$store' AS src;
CREATE VIRTUAL TABLE t USING fts5(txt, tokenize='trigram', content='', detail=full);
INSERT INTO t(rowid, txt) SELECT id, lower(coalesce(dj_name, '') || char(31) || coalesce(source_ip, '') || char(31) || message) FROM src.event;
INSERT INTO t(t) VALUES('optimize');"
echo "index: $(( $(date +%s) - start )) s, $(du -m "$index" | cut -f1) MiB"
# The needles as bench.php searches for them (Rows::SEARCHES), lower-cased as the index's text.
needles=$(php -r 'require $argv[1]; echo json_encode(array_values(StreamEvents\Bench\Rows::SEARCHES));' "$(dirname "$0")/bootstrap.php")
python3 - "$index" "$needles" <<'PY'
import json, sqlite3, statistics, sys, time
db = sqlite3.connect(sys.argv[1])
for needle in json.loads(sys.argv[2]):
    phrase, ms = '"%s"' % needle.lower(), []
    for _ in range(6):
        t0 = time.perf_counter()
        n = db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (phrase,)).fetchone()[0]
        db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid DESC LIMIT 25", (phrase,)).fetchall()
        ms.append((time.perf_counter() - t0) * 1000)
    print(f"{needle!r}: {n} matches, count + newest 25: median {statistics.median(ms[1:]):.1f} ms, max {max(ms[1:]):.1f} ms")
PY
