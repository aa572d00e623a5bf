<?php

declare(strict_types=1);

/*
 * `make bench`: Stream Events (el_* through PHP FFI) side by side with the
 * pure-PHP PDO peer and SQLite's own limit (bench/limit.c), in one run.
 *
 *   php bench/bench.php quick|full WORKDIR LIMIT_BINARY
 *
 * Prints a table (figure, PDO peer, C limit, ratio, target, met) and writes it
 * with the raw numbers to WORKDIR/results-MODE.{md,json} (and results-MODE-<time>.json,
 * each run its own: writeResults). The big stores
 * (1M / 10M events) are kept in WORKDIR and reused while their row count,
 * seed and schema version match. Never gates on absolute time: the exit status
 * only says whether the harness ran.
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

require __DIR__ . '/functions.php'; // say, run, worker, the stores, the report

[, $mode, $work, $limit] = $argv + [null, 'quick', null, null];
$config = [
    'quick' => ['big' => 1_000_000, 'log' => 20_000, 'reps' => 3, 'batch' => 50_000, 'queryReps' => 30, 'loadReps' => 10],
    'full' => ['big' => 10_000_000, 'log' => 50_000, 'reps' => 3, 'batch' => 100_000, 'queryReps' => 20, 'loadReps' => 10],
][$mode] ?? exit("usage: bench.php quick|full WORKDIR LIMIT_BINARY\n");
$config['big'] = (int) (getenv('EVENTS') ?: $config['big']); // a smaller store to try the harness
$tmp = "$work/tmp";
@mkdir($tmp, 0700, true);
$results = [];  // raw numbers, also written as JSON
$table = [];    // [what, figure, peer, limit, ratio, target, met]

$library = getenv('STREAM_EVENTS_LIB');
$libraryAtStart = libraryId($library);
$loadAtStart = sys_getloadavg()[0];
$nowMs = (int) (microtime(true) * 1000);
$logStart = $nowMs - 2 * 3_600_000; // log-test rows: the last hours, inside retention

// --- The schema: dumped from a store the library creates, so the peers always write the same one --
$schemaSql = sqliteSchema($tmp);
$schemaFile = "$tmp/schema.sql";

// --- Load: FFI scope + first call in a fresh worker --------------------------------------------
say('load: fresh PHP processes timing FFI::cdef + el_open + first el_log');
$loadStore = "$tmp/load.sqlite";
freshStore('el', $loadStore);
$loads = [];
for ($i = 0; $i < $config['loadReps']; $i++) {
    $loads[] = run(worker('load', getenv('STREAM_EVENTS_LIB'), $loadStore));
}
$load = [];
foreach (['cdef_us', 'open_us', 'first_log_us', 'total_us'] as $k) {
    $load[$k] = Stats::median(array_column($loads, $k));
}
$results['load'] = $load;
removeStore($loadStore);

// --- el_log, one process, one commit per event -------------------------------------------------
say("log: {$config['log']} events, one commit each, {$config['reps']} runs per side");
$tsv = "$tmp/log.tsv";
(new Rows(SEED + 1))->writeTsv($tsv, $config['log'], $logStart, 3_600_000);
// 'cg' is the C limit through the library's own VFS (Sources/CWALGather): not a
// target, it shows what the library adds over the I/O path it uses.
$sides = ['el', 'pdo', 'lean', 'c', 'cg'];
$rate = array_fill_keys($sides, []);
$p99 = array_fill_keys($sides, []);
for ($r = 0; $r < $config['reps']; $r++) {
    foreach (rotation($sides, $r) as $side) {
        $store = "$tmp/log-$side.sqlite";
        if ($side === 'c' || $side === 'cg') {
            removeStore($store);
            exec('sync');
            $res = run([$limit, ...($side === 'cg' ? ['--gather'] : []), $store, $schemaFile, $tsv]);
        } else {
            freshStore($side, $store);
            exec('sync');
            $res = run(worker('log', $side, $store, (string) $config['log'], (string) (SEED + 1), (string) $logStart, '-'));
            if ($res['errors'] > 0) {
                throw new RuntimeException("$side log errors: {$res['firstError']}");
            }
        }
        $rate[$side][] = $res['events'] / $res['seconds'];
        $p99[$side][] = $res['p99_us'];
        removeStore($store);
    }
}
$single = array_map(static fn ($v) => Stats::median($v), $rate);
$results['log1'] = ['events_per_s' => $single, 'runs' => $rate, 'p99_us' => $p99];
$table[] = ['el_log, 1 process, 1 commit/event (events/s)', fmt($single['el']), fmt($single['pdo']), fmt($single['c']),
    ratio($single['el'], $single['c']) . ' limit, ' . ratio($single['el'], $single['pdo']) . ' PDO', '≥ 1.15× PDO',
    met($single['el'] >= 1.15 * $single['pdo'])];
$table[] = ['… against the lean peer (12 columns, 3 indexes, no snapshot) (events/s)', fmt($single['el']), fmt($single['lean']) . ' (lean)', '—',
    ratio($single['el'], $single['lean']) . ' lean', '≥ 1.15× lean', met($single['el'] >= 1.15 * $single['lean'])];
$table[] = ['… against the C limit through the library\'s VFS (one write per commit) (events/s)', fmt($single['el']), '—', fmt($single['cg']),
    ratio($single['el'], $single['cg']) . ' of it', '≥ 0.9× it', met($single['el'] >= 0.9 * $single['cg'])];

// --- 4 processes logging at once ----------------------------------------------------------------
say('log: 4 processes at once');
$multi = [];
foreach (['el', 'pdo'] as $side) {
    $totals = [];
    $all = [];
    $errors = 0;
    for ($r = 0; $r < $config['reps']; $r++) {
        $store = "$tmp/multi-$side.sqlite";
        $res = fourLoggers($side, $store, $config['log'], $logStart, $tmp);
        $totals[] = $res['events_per_s'];
        array_push($all, ...$res['lat_ns']);
        $errors += $res['errors'];
        removeStore($store);
    }
    $multi[$side] = ['events_per_s' => Stats::median($totals), 'runs' => $totals, 'errors' => $errors,
        'p99_ms' => Stats::percentile($all, 99) / 1e6, 'max_ms' => max($all) / 1e6];
}
$results['log4'] = $multi;
$table[] = ['4 processes logging (events/s, total)', fmt($multi['el']['events_per_s']), fmt($multi['pdo']['events_per_s']), '—',
    ratio($multi['el']['events_per_s'], $single['el']) . ' of 1 process', '≥ 0.9× 1 process',
    met($multi['el']['events_per_s'] >= 0.9 * $single['el'])];
$table[] = ['4 processes: errors / p99 / max latency (ms)',
    sprintf('%d / %.2f / %.1f', $multi['el']['errors'], $multi['el']['p99_ms'], $multi['el']['max_ms']),
    sprintf('%d / %.2f / %.1f', $multi['pdo']['errors'], $multi['pdo']['p99_ms'], $multi['pdo']['max_ms']), '—', '—',
    '0; p99 ≤ 3 ms; max ≤ 100 ms',
    met($multi['el']['errors'] === 0 && $multi['el']['p99_ms'] <= 3 && $multi['el']['max_ms'] <= 100)];

// --- el_log_batch of 1,000 ----------------------------------------------------------------------
say("batch: {$config['batch']} events in batches of 1,000");
// 'c': the same rows through libsqlite3 directly, a transaction per 1,000 (bench/limit.c --batch).
$batchTsv = "$tmp/batch.tsv";
(new Rows(SEED + 2))->writeTsv($batchTsv, $config['batch'], $logStart, 3_600_000);
$batch = ['el' => [], 'pdo' => [], 'lean' => [], 'c' => []];
for ($r = 0; $r < $config['reps']; $r++) {
    foreach (['el', 'pdo', 'lean', 'c'] as $side) {
        $store = "$tmp/batch-$side.sqlite";
        if ($side === 'c') {
            removeStore($store);
            $res = run([$limit, '--batch', '1000', $store, $schemaFile, $batchTsv]);
            $batch[$side][] = $res['events'] / $res['seconds'];
        } else {
            freshStore($side, $store);
            $batch[$side][] = run(worker('batch', $side, $store, (string) $config['batch'], '1000', (string) (SEED + 2), (string) $logStart))['events_per_s'];
        }
        removeStore($store);
    }
}
$batchRate = array_map(static fn ($v) => Stats::median($v), $batch);
$results['batch'] = ['events_per_s' => $batchRate, 'runs' => $batch];
$table[] = ['el_log_batch of 1,000 (events/s)', fmt($batchRate['el']), fmt($batchRate['pdo']) . ' (1 tx/1,000); lean ' . fmt($batchRate['lean']), fmt($batchRate['c']),
    ratio($batchRate['el'], $batchRate['pdo']) . ' PDO, ' . ratio($batchRate['el'], $batchRate['lean']) . ' lean, '
    . ratio($batchRate['el'], $batchRate['c']) . ' limit (PDO ' . ratio($batchRate['pdo'], $batchRate['c']) . ' of it)', '≥ 1.0× PDO',
    met($batchRate['el'] >= $batchRate['pdo'])];

// --- The big stores -------------------------------------------------------------------------------
$n = $config['big'];
[$bigEl, $bigPdo, $meta, $builtNow] = bigStores($work, $n, $schemaSql, $nowMs);
// A backfill: the big store is a month of historical events logged in batches of 10,000.
$backfill = $meta['loadSeconds'];
$table[] = ['backfill of ' . fmt($n) . ' historical events, batches of 10,000 (events/s)' . ($builtNow ? '' : ' [built by an earlier run]'),
    fmt($n / $backfill['el']), fmt($n / $backfill['pdo']) . ' (1 tx/10,000)', '—', ratio($backfill['pdo'], $backfill['el']) . ' PDO', '≥ 1.0× PDO',
    met($backfill['el'] <= $backfill['pdo'])];
$results['bigStore'] = $meta + ['elBytes' => filesize($bigEl), 'pdoBytes' => filesize($bigPdo)];
$end = $meta['startMs'] + $meta['spanMs'];

// --- Page + exact total ------------------------------------------------------------------------
$cases = Rows::pageCells($end);
say("pages: {$config['queryReps']} runs per case and side");
$el = ElSide::open($bigEl);
$peer = PdoPeer::open($bigPdo);
foreach ($cases as [$label, $role, $id, $filter]) {
    $ms = ['el' => [], 'pdo' => []];
    $totals = [];
    for ($r = -2; $r < $config['queryReps']; $r++) { // two warm-up runs
        foreach (['el' => $el, 'pdo' => $peer] as $side => $s) {
            $t0 = hrtime(true);
            $page = $s->page($role, $id, $filter);
            $t = (hrtime(true) - $t0) / 1e6;
            if ($r >= 0) {
                $ms[$side][] = $t;
            } elseif ($r === -2) {
                $first[$side] = $t; // may fill the library's counters for this range
            }
            $totals[$side] = $page['total'];
            $rows[$side] = count($page['logs']);
        }
    }
    if ($totals['el'] !== $totals['pdo'] || $rows['el'] !== $rows['pdo']) {
        say("  WARNING $label: el total {$totals['el']} ({$rows['el']} rows), PDO total {$totals['pdo']} ({$rows['pdo']} rows)");
    }
    $p95 = ['el' => Stats::percentile($ms['el'], 95), 'pdo' => Stats::percentile($ms['pdo'], 95)];
    $p50 = ['el' => Stats::median($ms['el']), 'pdo' => Stats::median($ms['pdo'])];
    $results['pages'][$label] = ['p95_ms' => $p95, 'p50_ms' => $p50, 'first_ms' => $first, 'total' => $totals, 'filter' => $filter, 'role' => $role, 'id' => $id];
    $table[] = ["page + total: $label (p95 ms; total " . fmt($totals['el']) . ')', sprintf('%.1f (p50 %.1f; first %.0f)', $p95['el'], $p50['el'], $first['el']),
        sprintf('%.1f (p50 %.1f)', $p95['pdo'], $p50['pdo']), '—', ratio($p95['pdo'], $p95['el']) . ' faster than PDO', '≤ 15 ms p95',
        met($p95['el'] <= 15)];
}
if ($builtNow) {
    $firstAdmin = $results['pages']['admin, all, 30 days']['first_ms']['el'];
    $firstReseller = $results['pages']['reseller (50 services), one category, 30 days']['first_ms']['el'];
    $table[] = ['first pages after the backfill: admin all / reseller (ms)', sprintf('%.1f / %.1f', $firstAdmin, $firstReseller), '—', '—', '—',
        '≤ 100 ms', met(max($firstAdmin, $firstReseller) <= 100)];
}

// --- Text search (q): page + exact total --------------------------------------------------------
// The target's four: the admin's month. Then views that are a small part of
// the store, which the library reads through an index instead of a table scan.
$searches = [];
foreach (Rows::SEARCHES as $label => $q) {
    $searches[] = ["search \"$q\" ($label), page + total, 30 days", $label, 'admin', Rows::ADMIN, ['from' => $end - 30 * DAY, 'q' => $q], '≤ 50 ms p95'];
}
foreach (Rows::narrowSearches($end) as [$label, $role, $id, $filter]) {
    $searches[] = ["search \"{$filter['q']}\" $label, page + total", $label, $role, $id, $filter, '—'];
}
say('search: ' . count($searches) . ' searches, 5 runs each');
foreach ($searches as [$row, $label, $role, $id, $filter, $target]) {
    $ms = [];
    for ($r = -1; $r < 5; $r++) {
        $t0 = hrtime(true);
        $page = $el->page($role, $id, $filter);
        if ($r >= 0) {
            $ms[] = (hrtime(true) - $t0) / 1e6;
        }
    }
    $p95 = Stats::percentile($ms, 95);
    $results['search'][$label] = ['q' => $filter['q'], 'p95_ms' => $p95, 'total' => $page['total']];
    $table[] = ["$row (p95 ms; total " . fmt($page['total']) . ')', sprintf('%.0f', $p95), '—', '—', '—',
        $target, $target === '—' ? '—' : met($p95 <= 50)];
}
$el->log->close();

// --- CSV export ---------------------------------------------------------------------------------
// 1M rows: the whole quick store, or the newest 3 days of the full one.
$exportFilter = $n <= 1_000_000 ? new stdClass() : ['from' => $end - 3 * DAY];
$expected = $n <= 1_000_000 ? $n : $peer->page('admin', 1, (array) $exportFilter + ['perPage' => 1])['total'];
say("export: $expected rows as CSV to /dev/null, {$config['reps']} runs per side, alternating");
$runs = ['el' => [], 'pdo' => []];
for ($r = 0; $r < $config['reps']; $r++) {
    foreach ($r % 2 === 0 ? ['el', 'pdo'] : ['pdo', 'el'] as $side) {
        // Both stores start in the page cache, as a store in use would: the copies
        // made for earlier cases may have pushed them out, and a cold read
        // measures the disk, not the export.
        warmPageCache($side === 'el' ? $bigEl : $bigPdo);
        $runs[$side][] = run(worker('export', $side, $side === 'el' ? $bigEl : $bigPdo, 'admin', '1', json_encode($exportFilter), (string) $expected));
    }
}
$export = array_map('medianExport', $runs);
$results['export'] = $export;
$table[] = ['CSV export of ' . fmt($expected) . " rows (rows/s, median of {$config['reps']})", fmt($export['el']['rows_per_s']), fmt($export['pdo']['rows_per_s']), '—',
    ratio($export['el']['rows_per_s'], $export['pdo']['rows_per_s']) . ' PDO', '≥ 600,000/s and ≥ 1.5× PDO',
    met($export['el']['rows_per_s'] >= 600_000 && $export['el']['rows_per_s'] >= 1.5 * $export['pdo']['rows_per_s'] && $export['el']['rows'] === $expected)];
$memRow = static fn (array $e): string => sprintf('%.1f → %.1f', $e['peak_at_10pct_kib'] / 1024, $e['peak_kib'] / 1024);
$flat = static fn (array $e): bool => $e['peak_kib'] - $e['peak_at_10pct_kib'] <= 8 * 1024;
$table[] = ['export peak RSS (MiB) at 10% → all of ' . fmt($expected) . ' rows', $memRow($export['el']), $memRow($export['pdo']), '—', '—',
    'flat (≤ 8 MiB growth)', met($flat($export['el']))];
if ($n > 1_000_000) {
    say("export: all $n rows (memory)");
    warmPageCache($bigEl);
    $results['exportAll'] = run(worker('export', 'el', $bigEl, 'admin', '1', '{}', (string) $n));
    $table[] = ['export peak RSS (MiB) at 10% → all of ' . fmt($n) . ' rows', $memRow($results['exportAll']), '—', '—',
        fmt($results['exportAll']['rows_per_s']) . ' rows/s', 'flat (≤ 8 MiB growth)', met($flat($results['exportAll']))];
}

// --- Prune of one day's share while 2 processes keep logging -----------------------------------
say("prune: 1/30 of $n events while 2 processes log (copies of the big stores)");
$prune = [];
// Two passes on fresh copies: the loggers' latency without the probe (whose 100 us retries would
// win the lock ahead of the loggers' backoff and inflate their waits), then the lock probe.
$cutoff = $meta['startMs'] + DAY;
$prunes = [
    'el' => elPruneOfTheOldestDay($meta),
    'pdo' => static function (string $copy) use ($cutoff): int {
        $pdo = new PDO("sqlite:$copy", null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 5]);
        $pdo->exec('PRAGMA synchronous = NORMAL');
        return $pdo->exec("DELETE FROM event WHERE ts < $cutoff");
    },
];
foreach (['el', 'pdo'] as $side) {
    $source = $side === 'el' ? $bigEl : $bigPdo;
    $latency = pruneWhileLogging($side, $source, "$tmp/prune-$side.sqlite", null, $prunes[$side]);
    $hold = pruneWhileLogging($side, $source, "$tmp/prune-$side.sqlite", $limit, $prunes[$side]);
    $prune[$side] = ['deleted' => $latency['deleted'], 'seconds' => $latency['seconds']] + $latency['loggers']
        + ['hold_ms' => $hold['probe']['longest_wait_us'] / 1e3, 'probePassSeconds' => $hold['seconds'],
            'holdWaits' => $hold['probe']['waits_over_20ms']];
}
$results['prune'] = $prune;
// Where the longest wait over 20 ms fell: the WAL's size, and the kernel's dirty and
// write-back page cache as it ended (a commit's write stalls while the kernel throttles).
$longest = static function (array $p): string {
    $w = array_reduce($p['holdWaits'], static fn (?array $a, array $b) => $a === null || $b['ms'] > $a['ms'] ? $b : $a);
    return $w === null ? '' : sprintf('; at %.1f s, WAL %s MB, dirty %s MB, write-back %s MB', $w['at_s'], fmt($w['wal_mb']), fmt($w['dirty_mb']), fmt($w['writeback_mb']));
};
$pr = static fn (array $p): string => sprintf('%.1f (%s rows in %.1f s%s)', $p['hold_ms'], fmt($p['deleted']), $p['seconds'], $longest($p));
$table[] = ['prune 1/30 while 2 log: longest write-lock hold (ms, lock probe)', $pr($prune['el']), $pr($prune['pdo']), '—',
    ratio($prune['pdo']['hold_ms'], $prune['el']['hold_ms']) . ' shorter than PDO', '≤ 50 ms', met($prune['el']['hold_ms'] <= 50)];
$pl = static fn (array $p): string => sprintf('%.1f, %d errors (%d logged)', $p['max_ms'], $p['errors'], $p['samples']);
$table[] = ['prune 1/30 while 2 log: max log latency during prune (ms)', $pl($prune['el']), $pl($prune['pdo']), '—',
    ratio($prune['pdo']['max_ms'], $prune['el']['max_ms']) . ' shorter than PDO', '≤ 100 ms, 0 errors',
    met($prune['el']['max_ms'] <= 100 && $prune['el']['errors'] === 0)];

$table[] = ['load: FFI::cdef + el_open + first el_log, fresh process (µs)',
    sprintf('%s (cdef %s + open %s + log %s)', fmt($load['total_us']), fmt($load['cdef_us']), fmt($load['open_us']), fmt($load['first_log_us'])),
    '—', '—', '—', 'state it', '—'];

// --- Report -------------------------------------------------------------------------------------
$head = ['what', 'Stream Events', 'PDO peer', 'C limit', 'ratio', 'target', 'met'];
$md = markdownTable($head, $table);
$machine = machine('SQLite ' . SQLite3::version()['versionString'], $library, $libraryAtStart, $loadAtStart);
$header = sprintf("Mode %s: %s events in the big store, %s one-commit events per log run, medians of %d runs, %d page runs per case.\nMachine: %s\nRun at %s UTC with: bench/run.sh %s\n\n",
    $mode, fmt($n), fmt($config['log']), $config['reps'], $config['queryReps'], $machine, gmdate('Y-m-d H:i'), $mode);
writeResults($work, $mode, $header . $md, json_encode($results + ['machine' => $machine, 'mode' => $mode], JSON_PRETTY_PRINT));
echo $header, $md;

