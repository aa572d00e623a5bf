<?php

declare(strict_types=1);

/*
 * `bench/run.sh prune`: the daily prune of the big SQLite store, looked at
 * closely. The full bench measures the prune's longest write-lock hold in one
 * run per side and the loggers in a separate pass; this runs the same prune
 * (a day of events, on a fresh copy of the big store, 2 processes logging an
 * event about every ms) RUNS times with the lock probe and the loggers
 * together, and prints for each run the probe's longest wait, every wait over
 * 20 ms with the WAL's size then, the loggers' longest and p99 `el_log`, the
 * prune's time and the WAL's size at its end.
 *
 *   php bench/prune-probe.php WORKDIR LIMIT_BINARY RUNS [LIBRARY_B]
 *
 * With LIBRARY_B (another build of the library), runs alternate between the
 * library under test (STREAM_EVENTS_LIB) and it, A first: an experiment and
 * its baseline in one sitting on one machine. Writes the runs to
 * WORKDIR/results-prune.json. Never gates on time. With COLD=1 in the
 * environment the copy's pages leave the page cache before each prune but for
 * what a panel reads all day (functions.php, readBackNewestDay): the prune reads
 * the day it deletes from the disk; with COLD=all every page does, as on a
 * host whose memory holds little of the store.
 */

use StreamEvents\Bench\Stats;

require __DIR__ . '/functions.php';

[, $work, $limit, $runs, $libraryB] = $argv + [null, null, null, '3', null];
if ($work === null || $limit === null) {
    exit("usage: prune-probe.php WORKDIR LIMIT_BINARY RUNS [LIBRARY_B]\n");
}
$n = (int) (getenv('EVENTS') ?: 10_000_000);
$cold = ['1' => 'today', 'all' => 'all'][getenv('COLD') ?: ''] ?? null;
$tmp = "$work/tmp";
@mkdir($tmp, 0700, true);
$libraries = ['A' => getenv('STREAM_EVENTS_LIB')] + ($libraryB === null ? [] : ['B' => $libraryB]);
$ids = array_map('libraryId', $libraries);
[$bigEl, , $meta] = bigStores($work, $n, sqliteSchema($tmp), (int) (microtime(true) * 1000));

$results = [];
for ($r = 1; $r <= (int) $runs; $r++) {
    foreach ($libraries as $side => $library) {
        putenv("STREAM_EVENTS_LIB=$library"); // the loggers inherit it; ElSide::open reads it
        $pass = pruneWhileLogging('el', $bigEl, "$tmp/prune-probe.sqlite", $limit, elPruneOfTheOldestDay($meta), $cold);
        $run = ['library' => $side, 'run' => $r, 'deleted' => $pass['deleted'], 'seconds' => $pass['seconds'],
            'hold_ms' => $pass['probe']['longest_wait_us'] / 1e3, 'waits_over_20ms' => $pass['probe']['waits_over_20ms'],
            'wal_mb_at_end' => $pass['wal_mb'], 'loggers' => $pass['loggers']];
        $results[] = $run;
        say(sprintf('%s run %d: longest hold %.1f ms, %d waits over 20 ms; loggers max %.1f ms, p99 %.2f ms, %d errors; '
            . '%s events pruned in %.1f s, WAL %.0f MB at the end',
            $side, $r, $run['hold_ms'], count($run['waits_over_20ms']), $run['loggers']['max_ms'], $run['loggers']['p99_ms'],
            $run['loggers']['errors'], fmt($run['deleted']), $run['seconds'], $run['wal_mb_at_end']));
        foreach ($run['waits_over_20ms'] as $w) {
            say(sprintf('    %.1f ms at %.2f s, WAL %.0f MB, dirty %.0f MB, write-back %.0f MB; %s', $w['ms'], $w['at_s'], $w['wal_mb'],
                $w['dirty_mb'], $w['writeback_mb'], $w['holders'] ?? ''));
        }
    }
}
foreach ($libraries as $side => $library) {
    $mine = array_values(array_filter($results, static fn (array $x): bool => $x['library'] === $side));
    say(sprintf('%s (%s): longest hold %s ms; median prune %.1f s, loggers\' p99 median %.2f ms',
        $side, $ids[$side], implode(' / ', array_map(static fn (array $x): string => sprintf('%.1f', $x['hold_ms']), $mine)),
        Stats::median(array_column($mine, 'seconds')), Stats::median(array_map(static fn (array $x): float => $x['loggers']['p99_ms'], $mine))));
}
file_put_contents("$work/results-prune.json", json_encode(['events' => $n, 'cold' => $cold, 'libraries' => $ids, 'runs' => $results,
    'at' => gmdate('Y-m-d H:i:s') . ' UTC'], JSON_PRETTY_PRINT));
