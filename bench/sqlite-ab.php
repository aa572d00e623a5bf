<?php

declare(strict_types=1);

/*
 * One row of the SQLite bench for two builds of the library against the
 * peers in the same sitting: ROUNDS rounds (default 7) of N events into
 * fresh stores, the sides in an order that rotates each round. Prints each
 * round and the medians. An experiment against its baseline (BENCHMARKS.md,
 * "What is not met"); not a target, not part of `make bench`.
 *
 *   log:   one commit per event, as the bench's el_log row (N default 20,000),
 *          against PDO and the lean peer
 *   batch: batches of 1,000, as the bench's el_log_batch row (N default
 *          50,000), against PDO's transaction of 1,000
 *   multi: the bench's 4-process row (N default 20,000, a quarter each)
 *          beside one process of the same build (N events), for the
 *          4-process ratio, its p99 and max; no peer
 *
 * Each build makes its own stores, so a change to how a store is created
 * (its pragmas, its schema) is measured too.
 *
 *   php -d ffi.enable=1 bench/sqlite-ab.php log|batch|multi WORKDIR LIBRARY_A LIBRARY_B [N] [ROUNDS]
 */

use StreamEvents\Bench\Stats;

require __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/functions.php';

[, $row, $tmp, $libA, $libB] = $argv + [null, null, null, null, null];
in_array($row, ['log', 'batch', 'multi'], true) && $libB !== null
    || exit("usage: sqlite-ab.php log|batch|multi WORKDIR LIBRARY_A LIBRARY_B [N] [ROUNDS]\n");
$n = $argv[5] ?? ($row === 'batch' ? '50000' : '20000');
$rounds = (int) ($argv[6] ?? 7);
@mkdir($tmp, 0777, true);
putenv("STREAM_EVENTS_LIB=$libA");
sqliteSchema($tmp);
$logStart = (int) (microtime(true) * 1000) - 2 * 3_600_000; // as the full bench: the last hours
$sides = $row === 'multi'
    ? ['A' => ['el', $libA], 'A4' => ['el', $libA], 'B' => ['el', $libB], 'B4' => ['el', $libB]]
    : ['A' => ['el', $libA], 'B' => ['el', $libB], 'pdo' => ['pdo', $libA]];
$tails = []; // multi: each 4-process round's latencies, per build
if ($row === 'log') {
    $sides['lean'] = ['lean', $libA];
}
$rates = array_fill_keys(array_keys($sides), []);
for ($r = 0; $r < $rounds; $r++) {
    foreach (rotation(array_keys($sides), $r) as $name) {
        [$side, $library] = $sides[$name];
        putenv("STREAM_EVENTS_LIB=$library"); // the worker inherits it
        $store = "$tmp/ab-$name.sqlite";
        if (str_ends_with($name, '4')) {
            $res = fourLoggers($side, $store, (int) $n, $logStart, $tmp);
            $tails[$name] ??= [];
            array_push($tails[$name], ...$res['lat_ns']);
        } else {
            freshStore($side, $store);
            exec('sync');
            $res = $row === 'batch'
                ? run(worker('batch', $side, $store, $n, '1000', (string) (SEED + 2), (string) $logStart))
                : run(worker('log', $side, $store, $n, (string) (SEED + 1), (string) $logStart, '-'));
        }
        if (($res['errors'] ?? 0) > 0) {
            throw new RuntimeException("$name: {$res['errors']} errors, the first: {$res['firstError']}");
        }
        $rates[$name][] = $res['events'] / $res['seconds'];
        removeStore($store);
    }
    say(sprintf('round %d: ', $r + 1) . implode('  ', array_map(static fn (string $k): string => sprintf('%s %.0f', $k, end($rates[$k])), array_keys($rates))) . ' events/s');
}
$m = array_map(static fn (array $v): float => Stats::median($v), $rates);
if ($row === 'multi') {
    foreach (['A', 'B'] as $k) {
        say(sprintf('%s: 4 processes %.2fx one; p99 %.2f ms, max %.1f ms', $k, $m["{$k}4"] / $m[$k],
            Stats::percentile($tails["{$k}4"], 99) / 1e6, max($tails["{$k}4"]) / 1e6));
    }
    say(sprintf('medians: A %.0f, A4 %.0f, B %.0f, B4 %.0f events/s; B4 %.2fx A4', $m['A'], $m['A4'], $m['B'], $m['B4'], $m['B4'] / $m['A4']));
    exit(0);
}
$ratios = sprintf('A %.2fx PDO, B %.2fx PDO, B %.2fx A', $m['A'] / $m['pdo'], $m['B'] / $m['pdo'], $m['B'] / $m['A']);
if ($row === 'log') {
    $ratios .= sprintf(', A %.2fx lean, B %.2fx lean', $m['A'] / $m['lean'], $m['B'] / $m['lean']);
}
say('medians: ' . implode('  ', array_map(static fn (string $k): string => sprintf('%s %.0f', $k, $m[$k]), array_keys($m))) . ";  $ratios");
