<?php

declare(strict_types=1);

// Opens a damaged or read-only store through the bridge and reads from it.
// Expected: a typed exception with a message that says what is wrong, at open
// or at the latest on the first read; never a crash, never a success.
// Usage: damaged.php make STORE (a healthy store of 300 events) | damaged.php open STORE
//        damaged.php intact STORE (must open with its 300 events and pass integrity_check)
//        damaged.php readonly STORE (a store this process cannot write: its 300 events read,
//        an event is refused with EL_EIO saying read-only)
// Prints "status|message" of the failure; exit 0 on a clean failure, 1 when it opened.

require __DIR__ . '/lib.php';

use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

[, $cmd, $store] = $argv;
if ($cmd === 'make') {
    $log = rel_open($store);
    for ($i = 0; $i < 300; $i++) {
        $log->log(rel_event(7, "d$i", $i));
    }
    $log->close(); // checkpoints the WAL: one self-contained file
    exit(0);
}
if ($cmd === 'intact') {
    $n = count(rel_export_all(rel_open($store)));
    $integrity = rel_integrity($store);
    echo "opened with $n events, integrity $integrity\n";
    exit($n === 300 && $integrity === 'ok' ? 0 : 1);
}
if ($cmd === 'readonly') {
    $log = EventLog::open($store);
    $page = $log->query(Principal::admin(1), ['perPage' => 1]);
    $n = count(rel_export_all($log));
    try {
        $log->log(rel_event(7, 'written-to-a-read-only-store', 0));
        echo "the read-only store took an event\n";
        exit(1);
    } catch (EventLogException $e) {
        echo "total {$page['total']}, exported $n; el_log: ", $e->statusName(), ' ', $e->getMessage(), "\n";
        exit($page['total'] === 300 && $n === 300 && $e->getCode() === EventLogException::EL_EIO && str_contains($e->getMessage(), 'read-only') ? 0 : 1);
    }
}
$stage = 'el_open';
try {
    $log = rel_open($store);
    $stage = 'el_query';
    $log->query(Principal::admin(1), ['perPage' => 500]);
    $stage = 'el_log';
    $log->log(rel_event(7, 'written-to-a-damaged-store', 0));
    echo "opened|the store opened, answered a query and took an event\n";
    exit(1);
} catch (EventLogException $e) {
    echo $stage, '|', $e->statusName(), '|', $e->getMessage(), "\n";
    exit($e->getMessage() === '' ? 1 : 0);
}
