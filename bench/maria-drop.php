<?php

declare(strict_types=1);

/*
 * `make bench ENGINE=mariadb MODE=drop` (bench/run.sh mariadb drop): how long
 * the daily prune's partition drop holds the writers: right after the store's
 * own bulk load (el_copy), and then, with the store written back as one that
 * has logged for 30 days is, at rest and right after a large write to another
 * database of the same server (a backup restore, a bulk import), in rounds.
 *
 *   php bench/maria-drop.php WORKDIR SERVER_URL
 *
 * The store is an el_copy of the SQLite bench's big store (EVENTS, default
 * 10,000,000: a day of 333,411 events). Each drop lowers the retention window
 * by a day and prunes at the real time, so every drop removes one whole day
 * and creates no partitions ahead (that would be a second DDL). 4 processes
 * log one event a millisecond throughout a drop. The slow query log (10 ms)
 * gives the ALTER's own time, the server's error log how often InnoDB's
 * purge was stopped meanwhile (the library pauses it around each partition
 * change when its user may, see PurgePause; the bench's user may). The first
 * drop comes right after the copy (the oldest, partial day); then ROUNDS
 * (default 3) rounds: the server writes back every dirty page (writeBack),
 * then a fifth process logs 100 events/s (a live panel) for the rest of the
 * round: WAIT seconds (default 10), a drop; an INSERT ... SELECT of the
 * whole event table into another database, and at once a drop.
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
$wait = (int) (getenv('WAIT') ?: 10);
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

$alterLog = slowAlterLog($admin, "$tmp/slow.log");

/** How often the server stopped InnoDB's purge (the library's pause around a partition change) since byte $from of its error log. */
$errorLog = (string) $admin->query('SELECT @@log_error')->fetchColumn();
$purgeStops = static function (int $from) use ($errorLog): int {
    clearstatcache();
    return substr_count((string) file_get_contents($errorLog, false, null, $from), 'InnoDB: Stopping purge');
};

/** Lowers the window by a day and prunes while 4 processes log: what the writers saw. */
$drop = static function () use (&$window, $url, $tmp, $alterLog, $errorLog, $purgeStops, $admin): array {
    $window--;
    $stop = "$tmp/stop-drop";
    $loggers = startLoggers(4, 'el', $url, $stop, SEED + 40);
    $pruner = ElSide::open($url);
    $pruner->log->setRetentionDays($window);
    usleep(300_000);
    $server = serverState($admin); // what InnoDB has still to do when the drop comes
    clearstatcache();
    $alterMs = $alterLog();
    $errorLogFrom = (int) @filesize($errorLog);
    $t0 = hrtime(true);
    $removed = $pruner->log->prune();
    $t1 = hrtime(true);
    usleep(300_000);
    touch($stop);
    $pruner->log->close();
    return ['removed' => $removed, 'seconds' => ($t1 - $t0) / 1e9, 'alter_ms' => $alterMs(), 'purge_stops' => $purgeStops($errorLogFrom),
        'server' => $server] + loggersDuring($loggers, $t0, $t1);
};

say('round 0: at once after the copy, a drop (the oldest, partial day)');
$runs = [['round' => 0, 'when' => 'right after the el_copy of the store'] + $drop()];
for ($r = 1; $r <= $rounds; $r++) {
    [$seconds, $left] = writeBack($admin);
    // From here on the panel logs, as a live one does (100 events/s, 25 times the store's own rate).
    [$panel] = startLoggers(1, 'el', $url, "$tmp/stop-panel", SEED + 50 + $r, 10_000);
    say(sprintf('round %d: the server wrote back its dirty pages in %.0f s (%d left); a process logs 100 events/s; %d s, then a drop',
        $r, $seconds, $left, $wait));
    sleep($wait);
    $runs[] = ['round' => $r, 'when' => 'at rest, written back'] + $drop();
    say("round $r: INSERT ... SELECT of the event table into another database, then at once a drop");
    $admin->exec('TRUNCATE bulk.event');
    $t = hrtime(true);
    $admin->exec('INSERT INTO bulk.event SELECT * FROM big_el.event');
    $bulkSeconds = (hrtime(true) - $t) / 1e9;
    $runs[] = ['round' => $r, 'when' => sprintf('right after a write of %s rows to another database (%.0f s)', fmt($n), $bulkSeconds)] + $drop();
    touch("$tmp/stop-panel");
    $background = collect($panel);
    $background['errors'] === 0 || say("  WARNING: the 100 events/s process had {$background['errors']} errors");
}
$admin->exec('SET GLOBAL slow_query_log = 0');
$admin->exec('DROP DATABASE bulk');
$admin->exec('DROP DATABASE big_el');

$table = [];
foreach ($runs as $x) {
    $table[] = [(string) $x['round'], $x['when'], fmt($x['removed']), sprintf('%.2f', $x['seconds']),
        $x['alter_ms'] === null ? '< 10' : sprintf('%.0f', $x['alter_ms']), (string) $x['purge_stops'], sprintf('%.1f', $x['max_ms']),
        sprintf('%.1f', $x['p99_ms']), sprintf('%d / %d', $x['errors'], $x['samples']),
        sprintf('%s / %s / %d', fmt($x['server']['history']), fmt($x['server']['dirty']), $x['server']['checkpoint_mib'])];
}
$report = "MariaDB, the daily drop while 4 processes log: a store of " . fmt($n) . " events, right after its copy and in $rounds rounds with it written back.\n"
    . machine('MariaDB ' . $admin->query('SELECT @@version')->fetchColumn(), $library, $libraryAtStart, $loadAtStart) . "\n\n"
    . markdownTable(['round', 'when', 'events dropped', 'prune (s)', 'the ALTER (ms, slow log)', 'purge paused (times, error log)', 'longest el_log (ms)',
        'el_log p99 (ms)', 'errors / el_log calls during it', 'before it: undo logs to purge / dirty pages / redo since checkpoint (MiB)'], $table);
echo $report;
file_put_contents("$work/results-mariadb-drop.md", $report);
file_put_contents("$work/results-mariadb-drop.json", json_encode(['events' => $n, 'rounds' => $runs, 'at' => gmdate('c')], JSON_PRETTY_PRINT));
