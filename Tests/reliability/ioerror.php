<?php

declare(strict_types=1);

// A failing disk: reads, writes or syncs of the store's files fail with EIO
// (run.sh preloads faults.c into this process and every worker it starts,
// for the files under DIR; CONTROL says which calls fail now). el_log and
// the reads answer EL_EIO with a message that says so or keep working, the
// worker survives, an event whose el_log failed is not stored, and once the
// disk works again the same handle logs on, checkpoints again, and every
// acknowledged event is there once.
// Usage: ioerror.php DIR CONTROL

require __DIR__ . '/lib.php';

use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

[, $dir, $control] = $argv;
$store = "$dir/store.sqlite";
$errors = [];
$faults = static fn (string $kinds) => file_put_contents($control, $kinds);
$faults('');

/** Runs $call; a failure must be EL_EIO saying it is an I/O error. Returns whether it succeeded. */
$lastFailure = '';
$eioOrOk = static function (callable $call, string $what) use (&$errors, &$lastFailure): bool {
    try {
        $call();
        return true;
    } catch (EventLogException $e) {
        $lastFailure = $e->getMessage();
        if ($e->getCode() !== EventLogException::EL_EIO) {
            $errors[] = "$what: expected EL_EIO, got " . $e->statusName() . ': ' . $e->getMessage();
        } elseif (!preg_match('/I\/O|disk/i', $e->getMessage())) {
            $errors[] = "$what: EL_EIO but the message does not say it is an I/O error: " . $e->getMessage();
        }
        return false;
    }
};
$reads = static function (string $when) use (&$errors, &$acked, &$log, $eioOrOk): void {
    $eioOrOk(static function () use (&$errors, &$acked, $log, $when): void {
        $total = $log->query(Principal::admin(1), ['perPage' => 1])['total'];
        if ($total !== count($acked)) {
            $errors[] = "$when: the open handle's total is $total, acked " . count($acked);
        }
        $rows = count(rel_export_all($log));
        if ($rows !== count($acked)) {
            $errors[] = "$when: the open handle exports $rows rows, acked " . count($acked);
        }
    }, "$when: the open handle's page and export");
};

$log = rel_open($store);
$acked = [];
// Made while the disk works (creating a store syncs).
$full = rel_open("$dir/full.sqlite", ['synchronous' => 'full']);
$fullAcked = [$full->log(rel_event(7, 'full-ok', 0)) => 'full-ok'];
for ($i = 0; $i < 50; $i++) {
    $acked[$log->log(rel_event(7, "before-$i", $i))] = "before-$i";
}
// A store larger than a handle's page cache, for an export that meets the fault mid-way.
$big = rel_open("$dir/export.sqlite");
for ($b = 0; $b < 30; $b++) {
    $big->logBatch(array_map(static fn (int $i) => rel_event(7, "big-$i", $i), range($b * 1000, $b * 1000 + 999)));
}
$big->close();

// Writes fail: every el_log and batch says so; the handle still reads.
$faults('write');
$stored = 0;
for ($k = 0; $k < 20; $k++) {
    $stored += $eioOrOk(static fn () => $log->log(rel_event(7, "io-write-$k", $k)), "el_log #$k while writes fail") ? 1 : 0;
}
$stored += $eioOrOk(static fn () => $log->logBatch([rel_event(7, 'io-write-b0', 0), rel_event(7, 'io-write-b1', 1)]), 'el_log_batch while writes fail') ? 1 : 0;
if ($stored > 0) {
    $errors[] = "$stored writes succeeded while every write of the store failed";
}
$reads('writes failing');
printf("ioerror: writes failing: %d of 21 writes refused (%s); the open handle %s\n", 21 - $stored, $lastFailure, $errors === [] ? 'reads on' : 'did not');

// Reads fail: whatever answers is right, a new worker says why it cannot.
$faults('read');
$reads('reads failing');
try {
    $acked[$log->log(rel_event(7, 'io-read-0', 0))] = 'io-read-0';
    echo "ioerror: reads failing: el_log stored its event (every page it needed was cached)\n";
} catch (EventLogException $e) {
    $eioOrOk(static fn () => throw $e, 'el_log while reads fail');
    printf("ioerror: reads failing: el_log: %s\n", $e->getMessage());
}
$beside = rel_worker_reads($store);  // with the same faults
if (!str_starts_with($beside, 'EL_EIO: ') && $beside !== count($acked) . ' ' . count($acked)) {
    $errors[] = "a new worker while reads fail: '$beside' (expected EL_EIO or every acked event)";
}
printf("ioerror: reads failing: a new worker: %s\n", $beside);

// Reads fail in the middle of an export (a fresh handle, nothing cached):
// the export fails with EL_EIO, it does not end early as if complete.
foreach (['csv', 'jsonl'] as $format) {
    $faults('');
    $big = StreamEvents\EventLog::open("$dir/export.sqlite");
    $lines = 0;
    try {
        foreach ($big->export(Principal::admin(1), [], $format) as $chunk) {
            $lines += substr_count($chunk, "\n");
            $faults('read');
        }
        $errors[] = "a $format export ended without an error while reads failed, after $lines lines of 30,000";
    } catch (EventLogException $e) {
        $eioOrOk(static fn () => throw $e, "a $format export while reads fail");
        printf("ioerror: reads failing mid-export (%s): failed after %d lines: %s\n", $format, $lines, $e->getMessage());
    }
    $big->close();
}

// Syncs fail: the checkpoints that copy the WAL into the file fail; el_log
// answers either way (its commits do not sync), 3,000 events.
$faults('sync');
$failed = 0;
for ($i = 0; $i < 3000; $i++) {
    try {
        $acked[$log->log(rel_event(7, "sync-$i", $i))] = "sync-$i";
    } catch (EventLogException $e) {
        $failed++;
        $eioOrOk(static fn () => throw $e, "el_log #$i while syncs fail");
    }
}
clearstatcache();
printf("ioerror: syncs failing: %d of 3000 el_log failed; the checkpoints could not copy the WAL back (%.1f MiB)\n",
    $failed, (file_exists("$store-wal") ? filesize("$store-wal") : 0) / 1048576);
$reads('syncs failing');

// A store opened with synchronous "full" syncs every commit: while syncs
// fail, its el_log fails with EL_EIO and the event is not stored.
$refused = 0;
for ($k = 0; $k < 5; $k++) {
    $refused += $eioOrOk(static fn () => $full->log(rel_event(7, "io-full-$k", $k)), "el_log #$k of a synchronous store while syncs fail") ? 0 : 1;
}
if ($refused !== 5) {
    $errors[] = "a synchronous store acknowledged " . (5 - $refused) . ' of 5 events whose commit could not be synced';
}

// A prune while writes fail says so and leaves the totals exact; once the
// disk works the next prune deletes what it should.
$faults('');
$big = StreamEvents\EventLog::open("$dir/export.sqlite");
$faults('write');
$eioOrOk(static function () use ($big, &$errors): void {
    $errors[] = 'a prune deleted ' . $big->prune(rel_prune_now() + 30 * DAY_MS) . ' events while every write failed';
}, 'a prune while writes fail');
$faults('');
$errors = [...$errors, ...rel_totals_errors($big)];
$pruned = $big->prune(rel_prune_now() + 30 * DAY_MS);
if ($pruned !== 30000) {
    $errors[] = "the prune once the disk worked deleted $pruned of 30,000 events";
}
$big->close();
printf("ioerror: a prune while writes fail: %s; totals exact after it; the next prune deleted %d\n", $lastFailure, $pruned);

// The disk works again: the same handle logs on; the WAL is copied back and
// removed when the last handle closes.
$faults('');
if (($failed = rel_log_again($log, $acked, 3000)) !== null) {
    $errors[] = 'logging did not resume once the disk worked again: ' . $failed;
}
$ackedTags = array_flip($acked);
$errors = [...$errors, ...rel_acked_errors($log, $acked, static fn (string $tag) => !isset($ackedTags[$tag]))];
$errors = [...$errors, ...rel_totals_errors($log)];
$log->close();
$fullAcked[$full->log(rel_event(7, 'full-after', 1))] = 'full-after';
$fullTags = array_map(static fn ($row) => $row['details']['tag'], rel_export_all($full));
if ($fullTags !== array_reverse($fullAcked, true)) {
    $errors[] = 'the synchronous store holds ' . json_encode($fullTags) . ', acked ' . json_encode($fullAcked);
}
$full->close();
printf("ioerror: a synchronous store while syncs fail: %d of 5 el_log EL_EIO, none of them stored\n", $refused);
clearstatcache();
$wal = file_exists("$store-wal") ? filesize("$store-wal") : 0;
if ($wal !== 0) {
    $errors[] = "the WAL still holds $wal bytes after the last handle closed (not checkpointed)";
}
$after = rel_worker_reads($store);
if ($after !== count($acked) . ' ' . count($acked)) {
    $errors[] = "a new worker once the disk works: '$after', expected " . count($acked) . ' twice';
}
$integrity = rel_integrity($store);
if ($integrity !== 'ok') {
    $errors[] = "integrity_check: $integrity";
}
printf("ioerror: %d acked events all present once the disk worked again, WAL %d bytes after close, integrity %s\n", count($acked), $wal, $integrity);
foreach ($errors as $e) {
    fwrite(STDERR, "  $e\n");
}
exit($errors === [] ? 0 : 1);
