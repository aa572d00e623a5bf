<?php

declare(strict_types=1);

/*
 * The full bench's `el_log_batch` row for two builds of the library against
 * PDO in the same sitting: ROUNDS rounds (default 7) of N events (default
 * 50,000) in batches of 1,000 into fresh stores, the three sides in an order
 * that rotates each round. Prints each round and the medians. An experiment
 * against its baseline (BENCHMARKS.md, the el_log_batch item); not a target,
 * not part of `make bench`.
 *
 *   php -d ffi.enable=1 bench/batch-ab.php WORKDIR LIBRARY_A LIBRARY_B [N] [ROUNDS]
 */

use StreamEvents\Bench\Stats;

require __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/functions.php';

[, $tmp, $libA, $libB] = $argv + [null, null, null, null];
$libB !== null || exit("usage: batch-ab.php WORKDIR LIBRARY_A LIBRARY_B [N] [ROUNDS]\n");
$n = $argv[4] ?? '50000';
$rounds = (int) ($argv[5] ?? 7);
@mkdir($tmp, 0777, true);
putenv("STREAM_EVENTS_LIB=$libA");
sqliteSchema($tmp);
$logStart = (int) (microtime(true) * 1000) - 2 * 3_600_000; // as the full bench: the last hours
$sides = ['A' => ['el', $libA], 'B' => ['el', $libB], 'pdo' => ['pdo', $libA]];
$rates = ['A' => [], 'B' => [], 'pdo' => []];
for ($r = 0; $r < $rounds; $r++) {
    $order = array_keys($sides);
    for ($k = 0; $k < $r % 3; $k++) {
        $order[] = array_shift($order);
    }
    foreach ($order as $name) {
        [$side, $library] = $sides[$name];
        putenv("STREAM_EVENTS_LIB=$library"); // the worker inherits it
        $store = "$tmp/batch-ab-$name.sqlite";
        freshStore($side, $store);
        $rates[$name][] = run(worker('batch', $side, $store, $n, '1000', (string) (SEED + 2), (string) $logStart))['events_per_s'];
        removeStore($store);
    }
    say(sprintf('round %d: A %.0f  B %.0f  pdo %.0f events/s', $r + 1, end($rates['A']), end($rates['B']), end($rates['pdo'])));
}
$m = array_map(static fn (array $v): float => Stats::median($v), $rates);
say(sprintf('medians: A %.0f  B %.0f  pdo %.0f;  A %.2fx PDO, B %.2fx PDO, B %.2fx A',
    $m['A'], $m['B'], $m['pdo'], $m['A'] / $m['pdo'], $m['B'] / $m['pdo'], $m['B'] / $m['A']));
