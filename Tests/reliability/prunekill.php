<?php

declare(strict_types=1);

// A prune killed at any point leaves totals exact (issue #13, finding 4).
// Usage: prunekill.php make STORE   (events 20 days old, the prune's prey, and recent ones)
//        prunekill.php prune STORE  (prunes; run.sh kills it with SIGKILL part-way)
//        prunekill.php check STORE  (every total equals the exported rows; prints them)
require __DIR__ . '/lib.php';

use StreamEvents\Principal;

[, $cmd, $store] = $argv;
$log = rel_open($store);
if ($cmd === 'make') {
    for ($b = 0; $b < 8; $b++) {
        $batch = [];
        for ($i = 0; $i < 1000; $i++) {
            $old = $i % 4 !== 0;
            $batch[] = rel_event(7 + $i % 3, "pk-" . getmypid() . "-$b-$i", $i, rel_now_ms() - ($old ? 20 * DAY_MS : 0) - $i * 1000);
        }
        $log->logBatch($batch);
    }
    exit(0);
}
if ($cmd === 'prune') {
    $log->prune(rel_prune_now());
    exit(0);
}
// One service's views read the service-day counters (on MariaDB per category, and per type with an actor).
$filters = [[], ['category' => 'dj'], ['serviceId' => 8], ['serviceId' => 8, 'category' => 'dj'], ['serviceId' => 8, 'actor' => 'system'],
    ['from' => rel_now_ms() - 21 * DAY_MS, 'to' => rel_now_ms() - 19 * DAY_MS]];
$errors = rel_totals_errors($log, $filters);
echo implode(' ', array_map(static fn (array $f): int => $log->query(Principal::admin(1), $f + ['perPage' => 1])['total'], $filters)), "\n";
foreach ($errors as $e) {
    fwrite(STDERR, "  $e\n");
}
exit($errors === [] ? 0 : 1);
