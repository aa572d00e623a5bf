<?php

declare(strict_types=1);

// A logging worker: writes $count events (or batches of 5) through the bridge and
// appends each acknowledged id to $ackFile, flushed to the kernel before the next
// call, so that a SIGKILL at any moment leaves a record of exactly what was acked.
// Usage: writer.php STORE ACK_FILE PREFIX COUNT [single|batch] [OLD_EVERY] [OPTIONS_JSON]
// OLD_EVERY > 0: every OLD_EVERY-th event is 20 days old (the pruner's prey, see rel_prune_now).
// OPTIONS_JSON: el_open's options (e.g. {"synchronous":"full"}).

require __DIR__ . '/lib.php';

use StreamEvents\Exception\StoreBusy;

[, $store, $ackFile, $prefix, $count] = $argv;
$mode = $argv[5] ?? 'single';
$oldEvery = (int) ($argv[6] ?? 0);
$ack = fopen($ackFile, 'ab');
$log = rel_open($store, json_decode($argv[7] ?? '{}', true, 4, JSON_THROW_ON_ERROR));
$service = 100 + crc32($prefix) % 20;

try {
    for ($i = 0; $i < (int) $count; $i++) {
        if ($mode === 'batch') {
            $tag = "$prefix-b$i";
            $events = [];
            for ($k = 0; $k < rel_batch_size($tag); $k++) {
                $events[] = rel_event($service, "$tag-$k", $i + $k);
            }
            $n = $log->logBatch($events);
            fwrite($ack, "B $n $tag\n");
        } else {
            $old = $oldEvery > 0 && $i % $oldEvery === 0;
            $tag = ($old ? 'old:' : '') . "$prefix-$i";
            $id = $log->log(rel_event($service, $tag, $i, $old ? rel_now_ms() - 20 * DAY_MS : null));
            fwrite($ack, "S $id $tag\n");
        }
        fflush($ack);
    }
} catch (StoreBusy $e) {
    fwrite(STDERR, "writer $prefix: StoreBusy reached the caller: {$e->getMessage()}\n");
    exit(3);
}
