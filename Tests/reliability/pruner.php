<?php

declare(strict_types=1);

// Prunes (retention 30 days, at rel_prune_now()) in a loop until STOP_FILE exists; prints how many it deleted.
// Usage: pruner.php STORE STOP_FILE
require __DIR__ . '/lib.php';

[, $store, $stop] = $argv;
$log = rel_open($store);
$deleted = $runs = 0;
do {
    $deleted += $log->prune(rel_prune_now());
    $runs++;
    usleep(20_000);
} while (!file_exists($stop));
echo "pruner: $runs prunes, $deleted events deleted\n";
