<?php

declare(strict_types=1);

/*
 * `make bench ENGINE=mariadb MODE=drop` (bench/run.sh mariadb drop): how long
 * the daily prune's partition drop holds the writers, on a server at rest and
 * right after a large write to another database of the same server (a backup
 * restore, a bulk import, the bench's own peer copy), in alternating rounds.
 *
 *   php bench/maria-drop.php WORKDIR SERVER_URL
 *
 * The store is an el_copy of the SQLite bench's big store (EVENTS, default
 * 10,000,000: a day of 333,411 events). Each drop lowers the retention window
 * by a day and prunes at the real time, so every drop removes one whole day
 * and creates no partitions ahead (that would be a second DDL). 4 processes
 * log one event a millisecond throughout a drop. The slow query log (10 ms)
 * gives the ALTER's own time. ROUNDS (default 3) pairs of drops; WAIT seconds
 * (default 60) of quiet before an "at rest" drop; the large write is an
 * INSERT ... SELECT of the whole event table into another database.
 * Prints a table and writes WORKDIR/results-mariadb-drop.json. Never gates on
 * time: the exit status only says whether the harness ran.
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\PdoPeer;

require __DIR__ . '/functions.php';

[, $work, $server] = $argv + [null, null, null];
$server !== null && str_starts_with($server, 'mysql://') || exit("usage: maria-drop.php WORKDIR mysql://user:password@host:port\n");
$n = (int) (getenv('EVENTS') ?: 10_000_000);
$rounds = (int) (getenv('ROUNDS') ?: 3);
$wait = (int) (getenv('WAIT') ?: 60);
$tmp = "$work/tmp";
@mkdir($tmp, 0700, true);
$nowMs = (int) (microtime(true) * 1000);
$loadAtStart = sys_getloadavg()[0];
$library = getenv('STREAM_EVENTS_LIB');
$libraryAtStart = libraryId($library);

[$dsn, $user, $password] = PdoPeer::mysqlDsn($server);
$admin = new PDO($dsn, $user, $password, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$url = rtrim($server, '/') . '/big_el';

[$bigSqlite, , $meta] = bigStores($work, $n, sqliteSchema($tmp), $nowMs);
$firstDay = intdiv($meta['startMs'], DAY) * DAY;
$window = intdiv($nowMs - $firstDay, DAY); // a window that still holds the oldest day
$admin->exec('DROP DATABASE IF EXISTS big_el');
$admin->exec('DROP DATABASE IF EXISTS bulk');
ElSide::open($url, ['retentionDays' => $window])->log->close();
say("copy: el_copy of $n events from $bigSqlite");
$copy = run(worker('copy', $url, $bigSqlite));
say(sprintf('  %s events in %.1f s', fmt($copy['copied']), $copy['seconds']));
$admin->exec('CREATE DATABASE bulk');
$admin->exec('CREATE TABLE bulk.event LIKE big_el.event');

$slowLog = "$tmp/slow.log";
$admin->exec("SET GLOBAL slow_query_log_file = " . $admin->quote($slowLog));
$admin->exec('SET GLOBAL long_query_time = 0.01');
$admin->exec('SET GLOBAL slow_query_log = 1');

/** The Query_time (ms) of the drop's ALTER in the slow log since byte $from, or null if it took under 10 ms. */
$alterMs = static function (int $from) use ($slowLog): ?float {
    clearstatcache();
    $log = (string) file_get_contents($slowLog, false, null, $from);
    // An entry: "# Query_time: …" and more "# …" lines, maybe "use db;", "SET timestamp=…;", the statement.
    $entry = '/# Query_time: ([0-9.]+)[^\n]*\n(?:#[^\n]*\n)*(?:use [^\n]*\n)?SET timestamp=\d+;\nALTER TABLE event DROP PARTITION/';
    return preg_match($entry, $log, $m) ? (float) $m[1] * 1000 : null;
};

/** Lowers the window by a day and prunes while 4 processes log: what the writers saw. */
$drop = static function () use (&$window, $url, $tmp, $slowLog, $alterMs): array {
    $window--;
    $stop = "$tmp/stop-drop";
    @unlink($stop);
    $loggers = [];
    for ($w = 0; $w < 4; $w++) {
        $loggers[] = spawn(worker('logloop', 'el', $url, $stop, (string) (SEED + 40 + $w)));
    }
    foreach ($loggers as [, $pipes]) {
        fgets($pipes[2]); // "ready"
    }
    $pruner = ElSide::open($url);
    $pruner->log->setRetentionDays($window);
    usleep(300_000);
    clearstatcache();
    $logFrom = (int) @filesize($slowLog);
    $t0 = hrtime(true);
    $removed = $pruner->log->prune();
    $t1 = hrtime(true);
    usleep(300_000);
    touch($stop);
    $pruner->log->close();
    return ['removed' => $removed, 'seconds' => ($t1 - $t0) / 1e9, 'alter_ms' => $alterMs($logFrom)] + loggersDuring($loggers, $t0, $t1);
};

say('warm-up: the first drop (the oldest, partial day), not counted');
$drop();
$runs = [];
for ($r = 1; $r <= $rounds; $r++) {
    say("round $r: $wait s of quiet, then a drop");
    sleep($wait);
    $runs[] = ['round' => $r, 'when' => 'at rest'] + $drop();
    say("round $r: INSERT ... SELECT of the event table into another database, then at once a drop");
    $admin->exec('TRUNCATE bulk.event');
    $t = hrtime(true);
    $admin->exec('INSERT INTO bulk.event SELECT * FROM big_el.event');
    $bulkSeconds = (hrtime(true) - $t) / 1e9;
    $runs[] = ['round' => $r, 'when' => sprintf('right after a write of %s rows (%.0f s)', fmt($n), $bulkSeconds)] + $drop();
}
$admin->exec('SET GLOBAL slow_query_log = 0');
$admin->exec('DROP DATABASE bulk');
$admin->exec('DROP DATABASE big_el');

$table = [];
foreach ($runs as $x) {
    $table[] = [(string) $x['round'], $x['when'], fmt($x['removed']), sprintf('%.2f', $x['seconds']),
        $x['alter_ms'] === null ? '< 10' : sprintf('%.0f', $x['alter_ms']), sprintf('%.1f', $x['max_ms']),
        sprintf('%.1f', $x['p99_ms']), sprintf('%d / %d', $x['errors'], $x['samples'])];
}
$report = "MariaDB, the daily drop while 4 processes log: a store of " . fmt($n) . " events, $rounds rounds.\n"
    . machine('MariaDB ' . $admin->query('SELECT @@version')->fetchColumn(), $library, $libraryAtStart, $loadAtStart) . "\n\n"
    . markdownTable(['round', 'when', 'events dropped', 'prune (s)', 'the ALTER (ms, slow log)', 'longest el_log (ms)',
        'el_log p99 (ms)', 'errors / el_log calls during it'], $table);
echo $report;
file_put_contents("$work/results-mariadb-drop.md", $report);
file_put_contents("$work/results-mariadb-drop.json", json_encode(['events' => $n, 'rounds' => $runs, 'at' => gmdate('c')], JSON_PRETTY_PRINT));
