<?php

declare(strict_types=1);

/*
 * The bench's narrow searches (Rows::narrowSearches: a customer's month, a
 * reseller's week, the admin's last day) on an existing bench store, for two
 * builds of the library alternating by process: ROUNDS rounds (default 3),
 * each a fresh `worker.php search` per build that runs each search once to
 * warm up and times the second. Prints each search's median per build and their
 * totals, which must agree. An experiment against its baseline, not part of
 * `make bench`.
 *
 *   php -d ffi.enable=1 bench/search-ab.php var/bench/big-10000000-el.sqlite LIB_A LIB_B [ROUNDS]
 */

require __DIR__ . '/bootstrap.php';
require __DIR__ . '/functions.php';

use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

[, $store, $libA, $libB] = $argv + [null, null, null, null];
if ($libB === null) {
    fwrite(STDERR, "usage: php -d ffi.enable=1 bench/search-ab.php STORE LIB_A LIB_B [ROUNDS]\n");
    exit(2);
}
$rounds = (int) ($argv[4] ?? 3);
$meta = json_decode(file_get_contents(preg_replace('/-el\.sqlite$/', '.json', $store)), true, flags: JSON_THROW_ON_ERROR);
$searches = Rows::narrowSearches($meta['startMs'] + $meta['spanMs']);

// One worker process per build and round: each opens the store as a panel worker would.
$ms = [];
$totals = [];
for ($r = 0; $r < $rounds; $r++) {
    foreach (['A' => $libA, 'B' => $libB] as $side => $library) {
        putenv("STREAM_EVENTS_LIB=$library"); // the worker inherits it
        foreach (run(worker('search', $store, json_encode($searches))) as $i => $result) {
            $ms[$i][$side][] = $result['ms'];
            $totals[$i][$side] = $result['total'];
        }
    }
}
foreach ($searches as $i => [$label]) {
    [$a, $b] = [Stats::median($ms[$i]['A']), Stats::median($ms[$i]['B'])];
    printf("%-40s A %8.1f ms  B %8.1f ms  A/B %5.1f  totals %d / %d%s\n", $label, $a, $b, $a / $b,
        $totals[$i]['A'], $totals[$i]['B'], $totals[$i]['A'] === $totals[$i]['B'] ? '' : '  DIFFER');
}
