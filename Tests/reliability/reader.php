<?php

declare(strict_types=1);

// Queries and exports as admin, reseller and customer until STOP_FILE exists.
// Each export must list every id at most once, newest first (time descending;
// the contract leaves the order within one millisecond to the library) even
// while writers and the pruner run. Prints the number of
// queries and exported rows; exits non-zero on any failure.
// Usage: reader.php STORE STOP_FILE

require __DIR__ . '/lib.php';

use StreamEvents\Principal;

[, $store, $stop] = $argv;
$log = rel_open($store);
$who = [Principal::admin(1), Principal::reseller(2), Principal::customer(4)];
$queries = $exports = $rows = 0;
do {
    foreach ($who as $p) {
        $page = $log->query($p, ['perPage' => 100, 'page' => random_int(1, 3), 'q' => random_int(0, 1) ? 'DJ' : '']);
        if (count($page['logs']) > 100 || $page['total'] < count($page['logs'])) {
            fwrite(STDERR, "reader: inconsistent page: total {$page['total']}, " . count($page['logs']) . " logs\n");
            exit(1);
        }
        $queries++;
    }
    $format = $exports % 2 ? 'csv' : 'jsonl';
    $last = null;
    $seen = [];
    $buffer = '';
    foreach ($log->export(Principal::admin(1), [], $format) as $chunk) {
        $buffer .= $chunk;
    }
    $lines = explode($format === 'csv' ? "\r\n" : "\n", rtrim($buffer));
    if ($format === 'csv') {
        array_shift($lines);
    }
    foreach ($lines as $line) {
        if ($line === '') {
            continue;
        }
        if ($format === 'csv') {
            $cells = str_getcsv($line);
            $key = [(int) (new DateTimeImmutable($cells[1]))->format('Uv'), (int) $cells[0]]; // time_utc, id
        } else {
            $row = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
            $key = [$row['timestamp'], $row['id']];
        }
        if (isset($seen[$key[1]]) || ($last !== null && $key[0] > $last[0])) {
            fwrite(STDERR, "reader: $format export repeats or is out of order: " . json_encode($key) . ' after ' . json_encode($last) . "\n");
            exit(1);
        }
        $seen[$key[1]] = true;
        $last = $key;
        $rows++;
    }
    $exports++;
} while (!file_exists($stop));
echo "reader: $queries queries, $exports exports, $rows rows exported\n";
