<?php

declare(strict_types=1);

/*
 * `make bench ENGINE=mariadb` (bench/run.sh mariadb quick|full): Stream Events
 * on MariaDB (el_* through PHP FFI, via StreamEvents\EventLog) side by side
 * with a PDO pdo_mysql peer, on the one private server run.sh started (the
 * same settings for both sides), in one run.
 *
 *   php bench/maria.php quick|full WORKDIR SERVER_URL
 *
 * SERVER_URL is mysql://user:password@127.0.0.1:port, no database: every
 * store here is a database of its own on that server, made and dropped by
 * this script. The big store (1M / 10M events) is an el_copy of the SQLite
 * bench's big store (the same one bench.php builds, kept in WORKDIR), and
 * that copy is a measured row; the peer's database gets the same rows and
 * partitions with INSERT ... SELECT. Prints a table (figure, peer, ratio,
 * target, met) and writes it with the raw numbers to
 * WORKDIR/results-mariadb-MODE.{md,json}. Never gates on absolute time: the
 * exit status only says whether the harness ran.
 *
 * EVENTS (events in the big store) and LOG (events per logging block, and
 * per run of the 8 processes together) override the mode's sizes, to try the
 * harness in a couple of minutes. Each run also keeps its JSON as
 * results-mariadb-MODE-<time>.json for bench/maria-summary.php.
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

require __DIR__ . '/functions.php'; // say, run, worker, the SQLite stores, the report

[, $mode, $work, $server] = $argv + [null, 'quick', null, null];
$config = [
    // log: events per single-process block (blocks alternate el, PDO); multi: events per run of 8 processes.
    'quick' => ['big' => 1_000_000, 'log' => 10_000, 'blocks' => 5, 'multi' => 16_000, 'reps' => 3, 'queryReps' => 30],
    'full' => ['big' => 10_000_000, 'log' => 20_000, 'blocks' => 5, 'multi' => 32_000, 'reps' => 3, 'queryReps' => 20],
][$mode] ?? exit("usage: maria.php quick|full WORKDIR SERVER_URL\n");
$server !== null && str_starts_with($server, 'mysql://') || exit("usage: maria.php quick|full WORKDIR mysql://user:password@host:port\n");
$config['big'] = (int) (getenv('EVENTS') ?: $config['big']);
$config['log'] = (int) (getenv('LOG') ?: $config['log']);
$config['multi'] = (int) (getenv('LOG') ?: $config['multi']);
$tmp = "$work/tmp";
@mkdir($tmp, 0700, true);
$results = [];  // raw numbers, also written as JSON
$table = [];    // [what, figure, peer, ratio, target, met]
/** A row's target: kept in the JSON (for bench/maria-summary.php) and shown as met / NOT MET. */
$check = static function (string $row, bool $ok) use (&$results): string {
    $results['met'][$row] = $ok;
    return met($ok);
};

$library = getenv('STREAM_EVENTS_LIB');
$libraryAtStart = libraryId($library);
$loadAtStart = sys_getloadavg()[0];
$nowMs = (int) (microtime(true) * 1000);
$logStart = $nowMs - 2 * 3_600_000; // the peer's log-test rows: the last hours (el stamps its own)

[$dsn, $user, $password] = PdoPeer::mysqlDsn($server);
$admin = new PDO($dsn, $user, $password, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$url = static fn (string $db): string => rtrim($server, '/') . "/$db";
$sql = static fn (string $q): array => $admin->query($q)->fetchAll(PDO::FETCH_NUM);

/**
 * A new store in database $db holding the benchmark directory: the library
 * creates its own; the peer's tables are copied from the template store `tpl`.
 */
$fresh = static function (string $side, string $db) use ($admin, $url): string {
    dropDb($admin, $db);
    if ($side === 'el') {
        [$accounts, $services] = Rows::directory();
        $el = ElSide::open($url($db));
        $el->log->putDirectory($accounts, $services);
        $el->log->close();
    } else {
        peerTables($admin, 'tpl', $db);
    }
    return $url($db);
};

[$version, $pool, $flush, $logFile] = $sql('SELECT @@version, @@innodb_buffer_pool_size, @@innodb_flush_log_at_trx_commit, @@innodb_log_file_size')[0];
$serverLine = sprintf('MariaDB %s (innodb_flush_log_at_trx_commit=%d, buffer pool %d MiB, redo log %d MiB), over TCP on 127.0.0.1',
    $version, $flush, $pool >> 20, $logFile >> 20);
say("server: $serverLine");
$fresh('el', 'tpl');

// --- el_log, one process, one commit per event: alternating blocks ------------------------------
say("log: blocks of {$config['log']} events, one commit each, {$config['blocks']} blocks per side, alternating");
$rate = ['el' => [], 'pdo' => []];
$p99 = ['el' => [], 'pdo' => []];
$cpu = ['el' => ['php' => [], 'db' => []], 'pdo' => ['php' => [], 'db' => []]]; // µs per event
$serverPid = (int) getenv('BENCH_MARIADB_PID'); // run.sh's server, for its CPU time
for ($r = 0; $r < $config['blocks']; $r++) {
    // Alternate which side goes first, so that neither always runs on a warmer (or busier) server.
    foreach ($r % 2 === 0 ? ['el', 'pdo'] : ['pdo', 'el'] as $side) {
        $store = $fresh($side, "log_$side");
        exec('sync');
        $db0 = Stats::processCpuMicroseconds($serverPid);
        $res = run(worker('log', $side, $store, (string) $config['log'], (string) (SEED + 1), (string) $logStart, '-'));
        $db1 = Stats::processCpuMicroseconds($serverPid);
        if ($res['errors'] > 0) {
            throw new RuntimeException("$side log errors: {$res['firstError']}");
        }
        $rate[$side][] = $res['events'] / $res['seconds'];
        $p99[$side][] = $res['p99_us'];
        $cpu[$side]['php'][] = $res['cpu_us'] / $res['events'];
        $cpu[$side]['db'][] = ($db1 - $db0) / $res['events']; // the worker's start included, and the server's background work
        dropDb($admin, "log_$side");
    }
}
$single = array_map(static fn ($v) => Stats::median($v), $rate);
$cpuPerEvent = array_map(static fn ($side) => array_map(static fn ($v) => Stats::median($v), $side), $cpu);
$results['log1'] = ['events_per_s' => $single, 'runs' => $rate, 'p99_us' => $p99, 'cpu_us_per_event' => $cpuPerEvent];
$table[] = ['el_log, 1 process, 1 commit/event (events/s)', fmt($single['el']), fmt($single['pdo']),
    ratio($single['el'], $single['pdo']) . ' PDO', '≥ 1.0× PDO', $check('log1', $single['el'] >= $single['pdo'])];
$cpuRow = static fn (array $c): string => sprintf('%.0f / %.0f', $c['php'], $c['db']);
$table[] = ['… CPU per event: the PHP process / mariadbd (µs)', $cpuRow($cpuPerEvent['el']), $cpuRow($cpuPerEvent['pdo']),
    ratio($cpuPerEvent['el']['db'], $cpuPerEvent['pdo']['db']) . ' of PDO\'s on the server', 'state it', '—'];

// --- 8 processes logging at once ----------------------------------------------------------------
$writers = 8;
$per = intdiv($config['multi'], $writers);
say("log: $writers processes at once, $per events each, {$config['reps']} runs per side");
$multi = [];
$totals = $all = $errors = ['el' => [], 'pdo' => []];
for ($r = 0; $r < $config['reps']; $r++) {
    foreach ($r % 2 === 0 ? ['el', 'pdo'] : ['pdo', 'el'] as $side) {
        $store = $fresh($side, "multi_$side");
        $go = "$tmp/go";
        @unlink($go);
        exec('sync');
        $procs = [];
        for ($w = 0; $w < $writers; $w++) {
            $procs[] = spawn(worker('log', $side, $store, (string) $per, (string) (SEED + 10 + $w), (string) $logStart, $go));
        }
        foreach ($procs as [, $pipes]) {
            fgets($pipes[2]); // "ready": store open, rows made
        }
        touch($go);
        $res = array_map('collect', $procs);
        $start = min(array_column($res, 'start_ns'));
        $end = max(array_column($res, 'end_ns'));
        $totals[$side][] = $writers * $per / (($end - $start) / 1e9);
        foreach ($res as $x) {
            array_push($all[$side], ...$x['lat_ns']);
            $errors[$side][] = $x['errors'];
        }
        dropDb($admin, "multi_$side");
    }
}
foreach (['el', 'pdo'] as $side) {
    $multi[$side] = ['events_per_s' => Stats::median($totals[$side]), 'runs' => $totals[$side], 'errors' => array_sum($errors[$side]),
        'p99_ms' => Stats::percentile($all[$side], 99) / 1e6, 'max_ms' => max($all[$side]) / 1e6];
}
$results['log8'] = $multi;
$table[] = ["$writers processes logging (events/s, total)", fmt($multi['el']['events_per_s']), fmt($multi['pdo']['events_per_s']),
    ratio($multi['el']['events_per_s'], $single['el']) . ' of 1 process, ' . ratio($multi['el']['events_per_s'], $multi['pdo']['events_per_s']) . ' PDO',
    '≥ 3× 1 process', $check('log8', $multi['el']['events_per_s'] >= 3 * $single['el'])];
$table[] = ["$writers processes: errors / p99 / max latency (ms)",
    sprintf('%d / %.2f / %.1f', $multi['el']['errors'], $multi['el']['p99_ms'], $multi['el']['max_ms']),
    sprintf('%d / %.2f / %.1f', $multi['pdo']['errors'], $multi['pdo']['p99_ms'], $multi['pdo']['max_ms']), '—',
    '0; p99 ≤ 10 ms', $check('log8_latency', $multi['el']['errors'] === 0 && $multi['el']['p99_ms'] <= 10)];
$admin->exec('DROP DATABASE tpl');

// --- The big store: el_copy of the SQLite bench's ------------------------------------------------
$n = $config['big'];
$schemaSql = sqliteSchema($tmp);
[$bigSqlite, , $meta] = bigStores($work, $n, $schemaSql, $nowMs);
$end = $meta['startMs'] + $meta['spanMs'];
$firstDay = intdiv($meta['startMs'], DAY) * DAY; // the UTC day of the oldest event
dropDb($admin, 'big_el');
// Created with a partition for every day back to the oldest event's (a new store's first partition
// also holds everything older): the prune row then drops exactly one day. el_copy then sets the
// SQLite store's window (30 days).
ElSide::open($url('big_el'), ['retentionDays' => intdiv($nowMs - $firstDay, DAY)])->log->close();
say("copy: el_copy of $n events from $bigSqlite");
exec('sync');
$db0 = Stats::processCpuMicroseconds($serverPid);
$copy = run(worker('copy', $url('big_el'), $bigSqlite));
// Where the copy's time goes: the copying process (reading SQLite, writing the INSERTs) and the server.
$copy['cpu_us_per_event'] = ['php' => $copy['cpu_us'] / max(1, $copy['copied']),
    'db' => (Stats::processCpuMicroseconds($serverPid) - $db0) / max(1, $copy['copied'])];
$results['copy'] = $copy;
say(sprintf('  %s events in %.1f s, verified: %s; CPU per event: the copying process %.1f µs, mariadbd %.1f µs',
    fmt($copy['copied']), $copy['seconds'], json_encode($copy['verified']), $copy['cpu_us_per_event']['php'], $copy['cpu_us_per_event']['db']));
$table[] = ['el_copy of an SQLite store of ' . fmt($n) . ' events into MariaDB (events/s)',
    sprintf('%s (%s)', fmt($copy['events_per_s']), $copy['verified'] ? 'verified' : 'NOT VERIFIED'), '—', '—', '≥ 50,000/s',
    $check('copy', $copy['events_per_s'] >= 50_000 && $copy['verified'] && $copy['copied'] === $n)];

// The oldest day holds events from the store's start only: fill it (the events of the hours before,
// at the same rate) so that the day the prune row drops is a whole one.
$fill = (int) round($n * ($meta['startMs'] - $firstDay) / $meta['spanMs']);
if ($fill > 0) {
    say("big store: $fill events to fill the oldest day");
    $el = ElSide::open($url('big_el'));
    $el->log->setRetentionDays(intdiv($nowMs - $firstDay, DAY) + 1);
    $batch = [];
    foreach ((new Rows(SEED + 3))->generate($fill, $firstDay, $meta['startMs'] - $firstDay) as $i => [$event]) {
        $batch[] = $event;
        if (count($batch) === 10_000 || $i === $fill - 1) {
            $el->log->logBatch($batch);
            $batch = [];
        }
    }
    $el->log->setRetentionDays(30);
    $el->log->close();
}

// The peer: the same rows, ids and partitions, a partition per statement.
say('big store: the peer\'s copy (INSERT ... SELECT)');
$t0 = hrtime(true);
dropDb($admin, 'big_pdo');
peerTables($admin, 'big_el', 'big_pdo');
$partitions = static fn (string $db): array => array_column($sql("SELECT partition_name, table_rows, partition_description FROM information_schema.partitions
    WHERE table_schema = '$db' AND table_name = 'event' ORDER BY partition_ordinal_position"), 0);
foreach ($partitions('big_el') as $p) {
    $admin->exec("INSERT INTO big_pdo.event SELECT * FROM big_el.event PARTITION ($p)");
}
// Fresh statistics for both, so that neither optimizer works from a half-loaded table's.
$sql('ANALYZE TABLE big_el.event, big_pdo.event, big_el.service, big_pdo.service, big_el.account, big_pdo.account');
$stored = (int) $sql('SELECT COUNT(*) FROM big_el.event')[0][0];
$bytes = array_column($sql("SELECT table_schema, SUM(data_length + index_length) FROM information_schema.tables
    WHERE table_schema IN ('big_el', 'big_pdo') GROUP BY 1"), 1, 0);
$results['bigStore'] = $meta + ['fill' => $fill, 'stored' => $stored, 'peerCopySeconds' => (hrtime(true) - $t0) / 1e9,
    'bytesPerEvent' => ['el' => $bytes['big_el'] / $stored, 'pdo' => $bytes['big_pdo'] / $stored]];
say(sprintf('  %s events in each; the peer\'s copy took %.0f s', fmt($stored), $results['bigStore']['peerCopySeconds']));
// The two copies leave the server gigabytes of dirty pages, which it writes back for minutes on
// the cores the pages run on (the reseller's page took 13.3 ms p50 in that state, 7.0 ms once
// written back): a panel's pages run on a server at rest, so they are measured on one.
[$seconds, $left] = writeBack($admin);
$results['bigStore']['writeBackSeconds'] = $seconds;
say(sprintf('  written back in %.0f s (%s dirty pages left)', $seconds, fmt($left)));
// Likewise the purge of the undo logs the folds of the filled day (and of the log blocks before)
// left: recorded per cell below as well, since one run's whole deep-page cell was twice as slow.
[$seconds, $left] = waitForPurge($admin, 1000, 120);
$results['bigStore']['purgeSeconds'] = $seconds;
say(sprintf('  purged in %.0f s (%s undo logs left)', $seconds, fmt($left)));

// --- Page + exact total ------------------------------------------------------------------------
say("pages: {$config['queryReps']} runs per case and side (the peer fewer where one takes over a second)");
$el = ElSide::open($url('big_el'));
$peer = PdoPeer::open($url('big_pdo'));
$sides = ['el' => $el, 'pdo' => $peer];
foreach (Rows::pageCells($end) as [$label, $role, $id, $filter]) {
    $ms = ['el' => [], 'pdo' => []];
    $first = $totals = $rows = [];
    $diskReads = ['el' => 0, 'pdo' => 0]; // pages of the timed runs the buffer pool did not hold
    $history = ['before' => serverState($admin)['history'], 'max' => 0]; // undo logs left to purge
    $reps = ['el' => $config['queryReps'], 'pdo' => $config['queryReps']];
    for ($r = -2; $r < $config['queryReps']; $r++) { // two warm-up runs
        foreach ($sides as $side => $s) {
            if ($r >= $reps[$side]) {
                continue;
            }
            $reads = poolReads($admin);
            $t0 = hrtime(true);
            $page = $s->page($role, $id, $filter);
            $t = (hrtime(true) - $t0) / 1e6;
            if ($r >= 0) {
                $ms[$side][] = $t;
                $diskReads[$side] += poolReads($admin) - $reads;
                $history['max'] = max($history['max'], serverState($admin)['history']);
            } elseif ($r === -2) {
                $first[$side] = $t;
            } elseif ($t > 1000) {
                $reps[$side] = 5; // a page of seconds: 5 runs tell its p95 as well
            }
            $totals[$side] = $page['total'];
            $rows[$side] = count($page['logs']);
        }
    }
    $agree = $totals['el'] === $totals['pdo'] && $rows['el'] === $rows['pdo'];
    if (!$agree) {
        say("  WARNING $label: el total {$totals['el']} ({$rows['el']} rows), PDO total {$totals['pdo']} ({$rows['pdo']} rows)");
    }
    $p95 = ['el' => Stats::percentile($ms['el'], 95), 'pdo' => Stats::percentile($ms['pdo'], 95)];
    $p50 = ['el' => Stats::median($ms['el']), 'pdo' => Stats::median($ms['pdo'])];
    $results['pages'][$label] = ['p95_ms' => $p95, 'p50_ms' => $p50, 'first_ms' => $first, 'total' => $totals, 'runs' => $reps,
        'disk_reads' => $diskReads, 'history' => $history,
        'filter' => $filter, 'role' => $role, 'id' => $id];
    // ≥ 10× the peer only where the peer is slow enough for it to matter.
    $ok = $agree && $p95['el'] <= 15 && ($p95['pdo'] <= 50 || $p95['pdo'] >= 10 * $p95['el']);
    $table[] = ["page + total: $label (p95 ms; total " . fmt($totals['el']) . ($agree ? '' : ', PDO ' . fmt($totals['pdo'])) . ')',
        sprintf('%.1f (p50 %.1f; first %.0f; %s disk reads; undo logs to purge %s, at most %s)', $p95['el'], $p50['el'], $first['el'],
            fmt($diskReads['el']), fmt($history['before']), fmt($history['max'])),
        sprintf('%.1f (p50 %.1f%s; %s disk reads)', $p95['pdo'], $p50['pdo'], $reps['pdo'] < $config['queryReps'] ? "; {$reps['pdo']} runs" : '', fmt($diskReads['pdo'])),
        ratio($p95['pdo'], $p95['el']) . ' faster than PDO', '≤ 15 ms p95; ≥ 10× PDO where PDO > 50 ms', $check("page: $label", $ok)];
}
$el->log->close();

// --- CSV export ---------------------------------------------------------------------------------
// 1M rows: the whole quick store, or the newest 3 days of the full one.
$exportFilter = $n <= 1_000_000 ? [] : ['from' => $end - 3 * DAY];
$expected = $peer->page('admin', Rows::ADMIN, $exportFilter + ['perPage' => 1])['total'];
$peer = null;
say("export: $expected rows as CSV to /dev/null, once per side to warm the server, then {$config['reps']} runs per side, alternating");
$runs = ['el' => [], 'pdo' => []];
for ($r = -1; $r < $config['reps']; $r++) {
    foreach ($r % 2 === 0 ? ['el', 'pdo'] : ['pdo', 'el'] as $side) {
        $run = run(worker('export', $side, $url("big_$side"), 'admin', (string) Rows::ADMIN, json_encode((object) $exportFilter), (string) $expected));
        if ($r >= 0) {
            $runs[$side][] = $run;
        }
    }
}
$export = array_map('medianExport', $runs);
$results['export'] = $export;
$table[] = ['CSV export of ' . fmt($expected) . " rows (rows/s, median of {$config['reps']})", fmt($export['el']['rows_per_s']), fmt($export['pdo']['rows_per_s']) . ' (unbuffered)',
    ratio($export['el']['rows_per_s'], $export['pdo']['rows_per_s']) . ' PDO', '≥ 300,000/s',
    $check('export', $export['el']['rows_per_s'] >= 300_000 && $export['el']['rows'] === $expected)];
$memRow = static fn (array $e): string => sprintf('%.1f → %.1f', $e['peak_at_10pct_kib'] / 1024, $e['peak_kib'] / 1024);
$flat = static fn (array $e): bool => $e['peak_kib'] - $e['peak_at_10pct_kib'] <= 8 * 1024;
$table[] = ['export peak RSS (MiB) at 10% → all of ' . fmt($expected) . ' rows', $memRow($export['el']), $memRow($export['pdo']), '—',
    'flat (≤ 8 MiB growth)', $check('export_memory', $flat($export['el']))];
if ($n > 1_000_000) {
    say("export: all $stored rows (memory)");
    $results['exportAll'] = run(worker('export', 'el', $url('big_el'), 'admin', (string) Rows::ADMIN, '{}', (string) $stored));
    $table[] = ['export peak RSS (MiB) at 10% → all of ' . fmt($stored) . ' rows', $memRow($results['exportAll']), '—',
        fmt($results['exportAll']['rows_per_s']) . ' rows/s', 'flat (≤ 8 MiB growth)', $check('export_all_memory', $flat($results['exportAll']))];
}

// --- Dropping a day while 4 processes log -------------------------------------------------------
// The daily prune of the day after the oldest day left the 30-day window: it hides that day, drops
// its partition, adds the day ahead and settles old counters. The peer deletes the same day's rows.
$pruneNow = $firstDay + 31 * DAY;
$cutoff = $firstDay + DAY;
say('prune: dropping the oldest day (' . gmdate('Y-m-d', intdiv($firstDay, 1000)) . ') while 4 processes log');
$prune = [];
// The ALTER's own time, from the slow query log: a long drop then tells the DDL's wait from the writers'.
$alterLog = slowAlterLog($admin, "$tmp/slow.log");
foreach (['el' => 'big_el', 'pdo' => 'big_pdo'] as $side => $db) {
    $before = $partitions($db);
    $stop = "$tmp/stop-$side";
    $loggers = startLoggers(4, $side, $url($db), $stop, SEED + 20);
    $pruner = $side === 'el' ? ElSide::open($url($db)) : new PDO(...PdoPeer::mysqlDsn($url($db)));
    usleep(300_000);
    $alterMs = $alterLog();
    $t0 = hrtime(true);
    $removed = $side === 'el' ? $pruner->log->prune($pruneNow) : $pruner->exec("DELETE FROM event WHERE ts < $cutoff");
    $t1 = hrtime(true);
    usleep(300_000);
    touch($stop);
    $side === 'el' ? $pruner->log->close() : null;
    $pruner = null;
    $prune[$side] = ['removed' => $removed, 'seconds' => ($t1 - $t0) / 1e9, 'alter_ms' => $alterMs()]
        + loggersDuring($loggers, $t0, $t1) + ['partitionsDropped' => array_values(array_diff($before, $partitions($db)))];
}
$admin->exec('SET GLOBAL slow_query_log = 0');
$results['prune'] = $prune;
// The library keeps (hidden) the day of the newest id until newer events exist; the loggers' events are newer.
if ($prune['el']['removed'] !== $prune['pdo']['removed'] || count($prune['el']['partitionsDropped']) !== 1) {
    say(sprintf('  WARNING: el hid %d events in %d partitions, PDO deleted %d', $prune['el']['removed'], count($prune['el']['partitionsDropped']), $prune['pdo']['removed']));
}
$pl = static fn (array $p): string => sprintf('%.1f, %d errors (%d logged during; took %.2f s)', $p['max_ms'], $p['errors'], $p['samples'], $p['seconds']);
$alter = $prune['el']['alter_ms'] === null ? 'under 10 ms' : sprintf('%.0f ms', $prune['el']['alter_ms']);
$table[] = ['drop the oldest day (' . fmt($prune['el']['removed']) . ' events) while 4 log: max el_log latency during it (ms)',
    $pl($prune['el']) . "; the ALTER $alter (slow log)", $pl($prune['pdo']) . ' (DELETE)', ratio($prune['pdo']['max_ms'], $prune['el']['max_ms']) . ' shorter than PDO',
    '≤ 100 ms, 0 errors', $check('drop', $prune['el']['max_ms'] <= 100 && $prune['el']['errors'] === 0)];

$table[] = ['on disk per event, tables and indexes (bytes; InnoDB\'s estimate)', fmt($bytes['big_el'] / $stored), fmt($bytes['big_pdo'] / $stored) . ' (no counters)',
    '—', 'state it', '—'];
foreach (['big_el', 'big_pdo'] as $db) {
    dropDb($admin, $db);
}

// --- Report -------------------------------------------------------------------------------------
$md = markdownTable(['what', 'Stream Events', 'PDO peer', 'ratio', 'target', 'met'], $table);
$machine = machine($serverLine, $library, $libraryAtStart, $loadAtStart);
$header = sprintf("MariaDB, mode %s: %s events in the big store (el_copy of the SQLite bench's, +%s to fill its oldest day), %s one-commit events per log block "
    . "(%d blocks per side, alternating; medians), %d processes × %s events (medians of %d runs), %d page runs per case.\nMachine: %s\nRun at %s UTC with: bench/run.sh mariadb %s\n\n",
    $mode, fmt($n), fmt($fill), fmt($config['log']), $config['blocks'], $writers, fmt($per), $config['reps'], $config['queryReps'], $machine,
    gmdate('Y-m-d H:i'), $mode);
writeResults($work, "mariadb-$mode", $header . $md,
    json_encode($results + ['machine' => $machine, 'mode' => $mode, 'config' => $config, 'at' => gmdate('Y-m-d H:i')], JSON_PRETTY_PRINT));
echo $header, $md;
