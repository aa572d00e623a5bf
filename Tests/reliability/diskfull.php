<?php

declare(strict_types=1);

// Disk full, on a tiny file system mounted at DIR by run.sh: el_log answers
// EL_EIO with a message that says so, the worker keeps serving reads, and
// logging resumes once space returns, with every acknowledged event intact.
// Usage: diskfull.php DIR

require __DIR__ . '/lib.php';

use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

$dir = $argv[1];
$errors = [];
$expectEio = static function (callable $call, string $what) use (&$errors): ?EventLogException {
    try {
        $call();
        $errors[] = "$what succeeded on a full disk";
    } catch (EventLogException $e) {
        if ($e->getCode() !== EventLogException::EL_EIO) {
            $errors[] = "$what: expected EL_EIO, got " . $e->statusName() . ' ' . get_class($e) . ': ' . $e->getMessage();
        } elseif (!preg_match('/full|space|disk/i', $e->getMessage())) {
            $errors[] = "$what: EL_EIO but the message does not say the disk is full: " . $e->getMessage();
        }
        return $e;
    }
    return null;
};

$log = rel_open("$dir/store.sqlite");
$acked = [];
for ($i = 0; $i < 50; $i++) {
    $acked[$log->log(rel_event(7, "before-$i", $i))] = "before-$i";
}

// Fill the file system: big chunks, then 4 KiB, then single bytes.
$filler = fopen("$dir/filler", 'wb');
foreach ([65536, 4096, 1] as $size) {
    $block = str_repeat('f', $size);
    while (@fwrite($filler, $block) === $size && fflush($filler)) {
    }
}
fclose($filler);

// Log until the disk-full error arrives (the WAL may still have room for a few).
$failure = null;
for ($i = 0; $i < 100_000 && $failure === null; $i++) {
    try {
        $acked[$log->log(rel_event(7, "filling-$i", $i))] = "filling-$i";
    } catch (EventLogException $e) {
        $failure = $e;
    }
}
if ($failure === null) {
    $errors[] = 'el_log never failed on a full file system';
} else {
    printf("diskfull: el_log failed after %d more events: %s\n", $i - 1, $failure->getMessage());
    $expectEio(static fn () => throw $failure, 'el_log');
}
// The worker survives: more writes keep failing cleanly, reads still work.
for ($k = 0; $k < 20; $k++) {
    $expectEio(static fn () => $log->log(rel_event(7, "full-$k", $k)), "el_log #$k on the full disk");
}
$expectEio(static fn () => $log->logBatch([rel_event(7, 'full-b0', 0), rel_event(7, 'full-b1', 1)]), 'el_log_batch');
$expectEio(static fn () => rel_open("$dir/new.sqlite"), 'el_open of a new store');
try {
    $total = $log->query(Principal::admin(1), ['perPage' => 1])['total'];
    if ($total !== count($acked)) {
        $errors[] = "query on the full disk: total $total, acked " . count($acked);
    }
} catch (EventLogException $e) {
    $errors[] = 'query failed on the full disk: ' . $e->getMessage();
}

// Every read answers on the full disk (issue #13: a page never writes): each
// kind of page, a search, an export; then a newly started worker's.
foreach ([['perPage' => 1], ['category' => 'dj'], ['q' => 'filling-1'], ['from' => rel_now_ms() - 3_600_000]] as $filter) {
    try {
        $log->query(Principal::admin(1), $filter);
    } catch (EventLogException $e) {
        $errors[] = 'query ' . json_encode($filter) . ' failed on the full disk: ' . $e->getMessage();
    }
}
$exported = count(rel_export_all($log));
if ($exported !== count($acked)) {
    $errors[] = "export on the full disk: $exported rows, acked " . count($acked);
}
$n = count($acked);
$beside = rel_worker_reads("$dir/store.sqlite");
if ($beside !== "$n $n") {
    $errors[] = "a new worker beside the open one on the full disk read '$beside', expected '$n $n'";
}
$log->close();
$alone = rel_worker_reads("$dir/store.sqlite");
if ($alone !== "$n $n") {
    $errors[] = "a new worker alone on the full disk read '$alone', expected '$n $n'";
}
printf("diskfull: reads on the full disk: open handle, new worker beside it (%s), new worker alone (%s)\n", $beside, $alone);
$log = rel_open("$dir/store.sqlite");

// Space returns: logging resumes on the same handle.
unlink("$dir/filler");
if (($failed = rel_log_again($log, $acked, 200)) !== null) {
    $errors[] = 'logging did not resume after space returned: ' . $failed;
}
$errors = [...$errors, ...rel_acked_errors($log, $acked, static fn (string $tag) => str_starts_with($tag, 'full-'))];
$log->close();
$integrity = rel_integrity("$dir/store.sqlite");
if ($integrity !== 'ok') {
    $errors[] = "integrity_check: $integrity";
}
printf("diskfull: %d acked events all present after space returned, integrity %s\n", count($acked), $integrity);
foreach ($errors as $e) {
    fwrite(STDERR, "  $e\n");
}
exit($errors === [] ? 0 : 1);
