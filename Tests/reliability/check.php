<?php

declare(strict_types=1);

// Verifies a store against the writers' acknowledgement files.
// Usage: check.php setup STORE                      (directory used by reader.php)
//        check.php verify STORE MAX_UNACKED PRUNE(0|1|2) ACK_FILE...
// verify: every acknowledged event is present exactly once with its own tag,
// every batch is all-or-nothing, at most MAX_UNACKED events (the calls in flight
// when writers were killed) are present without an ack, every row is complete,
// after PRUNE=1 no 20-day-old event is left (PRUNE=2: a pruner ran meanwhile, so
// an acked 20-day-old event may be gone, but never doubled), every page total equals
// the exported rows, and (SQLite) integrity_check is ok. STORE is a file or a mysql:// URI.

require __DIR__ . '/lib.php';

$cmd = $argv[1];
$store = $argv[2];
$log = rel_open($store);
if ($cmd === 'setup') {
    $services = [];
    for ($s = 100; $s < 120; $s++) {
        $services[] = ['id' => $s, 'name' => "Radio $s", 'ownerId' => $s % 2 ? 4 : 5, 'kind' => 'icecast'];
    }
    $log->putDirectory([
        ['id' => 1, 'role' => 'admin', 'name' => 'Root'],
        ['id' => 2, 'role' => 'reseller', 'name' => 'Res'],
        ['id' => 4, 'role' => 'customer', 'name' => 'Alice', 'resellerId' => 2],
        ['id' => 5, 'role' => 'customer', 'name' => 'Bob', 'resellerId' => null],
    ], $services);
    exit(0);
}

$maxUnacked = (int) $argv[3];
$prune = $argv[4] === '1';
$prunedMeanwhile = $argv[4] === '2';
$errors = [];
if ($prune) {
    $log->prune(rel_prune_now());
}
// tag => the id of the first row with it; repeats (a defect) also in $repeated.
// One int per row, not a list: the long crash run's store holds over a million
// rows, and a list per tag took the checker past 512 MB.
$idOf = $repeated = [];
$rowCount = rel_export_each($log, function (array $row) use (&$idOf, &$repeated, &$errors): void {
    $id = $row['id'];
    $tag = $row['details']['tag'] ?? null;
    if (!is_string($tag) || !is_int($row['timestamp'] ?? null) || !is_string($row['type'] ?? null)
        || !is_string($row['message'] ?? null) || $row['message'] === '' || !is_int($row['serviceId'] ?? null)) {
        $errors[] = "event $id is incomplete: " . json_encode($row);
        return;
    }
    if (isset($idOf[$tag])) {
        $repeated[$tag] ??= [$idOf[$tag]];
        $repeated[$tag][] = $id;
    } else {
        $idOf[$tag] = $id;
    }
});
/** The ids stored with $tag. */
$idsOf = static fn (string $tag): array => $repeated[$tag] ?? (isset($idOf[$tag]) ? [$idOf[$tag]] : []);

$acked = [];
$singles = $batches = 0;
foreach (array_slice($argv, 5) as $file) {
    $lines = fopen($file, 'r');
    while (($line = fgets($lines)) !== false) {
        $line = rtrim($line, "\n");
        if ($line === '') {
            continue;
        }
        $f = explode(' ', $line);
        if (count($f) !== 3) {
            $errors[] = "$file: torn ack line '$line'"; // the writer's own record, not the store
            continue;
        }
        [$kind, $num, $tag] = $f;
        if ($kind === 'S') {
            $singles++;
            $acked[$tag] = true;
            if (str_starts_with($tag, 'old:') && ($prune || ($prunedMeanwhile && !isset($idOf[$tag])))) {
                continue;
            }
            $ids = $idsOf($tag);
            if ($ids !== [(int) $num]) {
                $errors[] = "acked event $tag (id $num) stored as ids [" . implode(',', $ids) . ']';
            }
        } else {
            $batches++;
            $size = rel_batch_size($tag);
            if ((int) $num !== $size) {
                $errors[] = "batch $tag acked $num events, not $size";
            }
            for ($k = 0; $k < $size; $k++) {
                $acked["$tag-$k"] = true;
                if (count($idsOf("$tag-$k")) !== 1) {
                    $errors[] = "acked batch event $tag-$k stored " . count($idsOf("$tag-$k")) . ' times';
                }
            }
        }
    }
    fclose($lines);
}

foreach ($repeated as $tag => $ids) {
    $errors[] = "tag $tag stored " . count($ids) . ' times';
}
foreach ($idOf as $tag => $id) {
    if ($prune && str_starts_with((string) $tag, 'old:')) {
        $errors[] = "20-day-old event $tag survived the prune";
    }
}
$unacked = rel_unacked_calls(array_keys($idOf), $acked, $errors);
if (count($unacked) > $maxUnacked) {
    $errors[] = count($unacked) . " unacknowledged events/batches present, at most $maxUnacked calls were in flight: "
        . implode(', ', array_slice(array_keys($unacked), 0, 10));
}
$totals = rel_totals_errors($log);
array_push($errors, ...$totals);
$integrity = rel_integrity($store);
if (!in_array($integrity, ['ok', 'n/a'], true)) {
    $errors[] = "integrity_check: $integrity";
}
printf("check: %d acked events, %d acked batches, %d rows in store, %d in-flight extras, totals %s, integrity %s\n",
    $singles, $batches, $rowCount, count($unacked), $totals === [] ? 'exact' : 'WRONG', $integrity);
foreach (array_slice($errors, 0, 20) as $e) {
    fwrite(STDERR, "  LOST/WRONG: $e\n");
}
exit($errors === [] ? 0 : 1);
