<?php

declare(strict_types=1);

/*
 * `bench/run.sh mariadb pages`: where a page's time goes on MariaDB. The
 * full bench's five page cells on an el_copy of the big SQLite store (10M
 * events; EVENTS overrides), REPS timed pages each (20; p50 and p95 as the
 * full bench takes them, after two warm-ups), then one more page per cell
 * with the server's slow log catching every statement: its time, the rows
 * it examined and its start, in the order the library sent them. The oldest
 * day is not filled up as in the full bench, so the totals differ from its
 * by that day's share of the window. Writes WORKDIR/results-mariadb-pages.json
 * (and the slow log itself, results-mariadb-pages-slow.log).
 *
 *   php bench/maria-pages.php WORKDIR SERVER_URL
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

require __DIR__ . '/functions.php';

[, $work, $server] = $argv + [null, null, null];
$server !== null && str_starts_with($server, 'mysql://') || exit("usage: maria-pages.php WORKDIR mysql://user:password@host:port\n");
$n = (int) (getenv('EVENTS') ?: 10_000_000);
$reps = (int) (getenv('REPS') ?: 20);
$tmp = "$work/tmp";
@mkdir($tmp, 0700, true);
$nowMs = (int) (microtime(true) * 1000);
[$dsn, $user, $password] = PdoPeer::mysqlDsn($server);
$admin = new PDO($dsn, $user, $password, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$url = rtrim($server, '/') . '/big_el';

[$bigSqlite, , $meta] = bigStores($work, $n, sqliteSchema($tmp), $nowMs);
$end = $meta['startMs'] + $meta['spanMs'];
$admin->exec('DROP DATABASE IF EXISTS big_el');
// A partition for every day back to the oldest event's, as the full bench's store.
ElSide::open($url, ['retentionDays' => intdiv($nowMs - intdiv($meta['startMs'], DAY) * DAY, DAY)])->log->close();
say("copy: el_copy of $n events from $bigSqlite");
$copy = run(worker('copy', $url, $bigSqlite));
say(sprintf('  %s events in %.1f s', fmt($copy['copied']), $copy['seconds']));
[$flushSeconds, $pagesLeft] = writeBack($admin); // the copy's dirty pages must not be written during the pages
say(sprintf('  written back in %.0f s (%s pages left)', $flushSeconds, fmt($pagesLeft)));

$el = ElSide::open($url);
$results = ['events' => $n, 'library' => libraryId(getenv('STREAM_EVENTS_LIB')), 'cells' => []];
foreach (Rows::pageCells($end) as [$label, $role, $id, $filter]) {
    $ms = [];
    for ($r = -2; $r < $reps; $r++) {
        $t0 = hrtime(true);
        $page = $el->page($role, $id, $filter);
        if ($r >= 0) {
            $ms[] = (hrtime(true) - $t0) / 1e6;
        }
    }
    $results['cells'][$label] = ['p50_ms' => Stats::median($ms), 'p95_ms' => Stats::percentile($ms, 95), 'total' => $page['total']];
    say(sprintf('%s: p50 %.1f ms, p95 %.1f ms (total %s)', $label, Stats::median($ms), Stats::percentile($ms, 95), fmt($page['total'])));
}

// One page per cell with every statement in the slow log.
$log = "$work/results-mariadb-pages-slow.log";
@unlink($log);
$admin->exec('SET GLOBAL slow_query_log_file = ' . $admin->quote($log));
$admin->exec('SET GLOBAL long_query_time = 0');
$admin->exec('SET GLOBAL log_slow_verbosity = \'query_plan,explain\'');
$admin->exec('SET GLOBAL slow_query_log = 1');
// A connection takes long_query_time and the verbosity when it opens.
$el->log->close();
$el = ElSide::open($url);
$offsets = [];
foreach (Rows::pageCells($end) as [$label, $role, $id, $filter]) {
    clearstatcache();
    $offsets[$label] = filesize($log); // the server writes each statement's entry as it ends
    $t0 = hrtime(true);
    $el->page($role, $id, $filter);
    $results['cells'][$label]['traced_ms'] = (hrtime(true) - $t0) / 1e6;
}
$admin->exec('SET GLOBAL slow_query_log = 0');
$el->log->close();

// An entry: "# Query_time: … Rows_examined: N", more "# …" lines, maybe "use db;", "SET timestamp=…;", the statement.
$text = (string) file_get_contents($log);
$labels = array_keys($offsets);
foreach ($labels as $i => $label) {
    $part = substr($text, $offsets[$label], isset($labels[$i + 1]) ? $offsets[$labels[$i + 1]] - $offsets[$label] : null);
    preg_match_all('/# Query_time: ([0-9.]+)[^\n]*Rows_examined: (\d+)\n(?:#[^\n]*\n)*(?:use [^\n]*\n)?SET timestamp=\d+;\n(.*?)(?=\n# |\z)/s',
        $part, $entries, PREG_SET_ORDER);
    say(sprintf('%s: traced page %.1f ms', $label, $results['cells'][$label]['traced_ms']));
    foreach ($entries as [, $seconds, $examined, $sql]) {
        $statement = preg_replace('/\s+/', ' ', trim($sql));
        $results['cells'][$label]['statements'][] = ['ms' => (float) $seconds * 1000, 'rows_examined' => (int) $examined, 'sql' => $statement];
        say(sprintf('  %6.2f ms %7s rows  %s', (float) $seconds * 1000, fmt((int) $examined), substr($statement, 0, 110)));
    }
}
file_put_contents("$work/results-mariadb-pages.json", json_encode($results, JSON_PRETTY_PRINT));
