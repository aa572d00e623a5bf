<?php

declare(strict_types=1);

// Prunes (retention 30 days, now) in a loop until STOP_FILE exists; prints how many it deleted.
// Usage: pruner.php STORE STOP_FILE
require __DIR__ . '/lib.php';

[, $store, $stop] = $argv;
$log = rel_open($store);
$deleted = $runs = 0;
do {
    $deleted += $log->prune(0);
    $runs++;
    usleep(20_000);
} while (!file_exists($stop));
echo "pruner: $runs prunes, $deleted events deleted\n";
