<?php

declare(strict_types=1);

/*
 * Builds the demo store: the demo directory plus a realistic month of events,
 * logged through the bridge one event at a time, as the panel would.
 *
 *   php php-bridge/demo/seed.php [STORE]    (default $STREAM_EVENTS_DB or <repo>/var/demo.sqlite)
 *
 * An existing store at that path is replaced, so every run starts from a
 * month that ends now (inside the 30-day retention window). A database
 * (STORE is mysql://…) cannot be replaced from here: it must hold no events
 * yet (`make demo ENGINE=mariadb` starts a fresh server each time).
 */

use StreamEvents\Demo\DemoMonth;
use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

require __DIR__ . '/autoload.php';

$repoRoot = dirname(__DIR__, 2);
$store = $argv[1] ?? (getenv('STREAM_EVENTS_DB') ?: $repoRoot . '/var/demo.sqlite');

$shown = EventLog::redact($store);
try {
    if (!EventLog::isUri($store)) {
        $dir = dirname($store);
        if (!is_dir($dir) && !mkdir($dir, 0750, true) && !is_dir($dir)) {
            throw new RuntimeException("cannot create $dir");
        }
        // Rebuild rather than append: a stale -wal next to a new file must not survive either.
        foreach (['', '-wal', '-shm'] as $suffix) {
            if (file_exists($store . $suffix) && !unlink($store . $suffix)) {
                throw new RuntimeException("cannot remove old $store$suffix");
            }
        }
    }
    $started = microtime(true);
    $directory = require __DIR__ . '/directory.php';
    $log = EventLog::open($store, ['retentionDays' => 30]);
    $log->putDirectory($directory['accounts'], $directory['services']);
    $held = $log->query(Principal::admin(1), ['perPage' => 1])['total'];
    if ($held > 0) {
        throw new RuntimeException("$shown already holds $held events: the demo seeds a database without any");
    }
    $events = (new DemoMonth($directory, (int) floor(microtime(true) * 1000)))->events();
    foreach ($events as $event) {
        $log->log($event);
    }
    $log->close();
    printf("seeded %s: %d accounts, %d services, %d events in %.1f s\n", $shown, count($directory['accounts']),
        count($directory['services']), count($events), microtime(true) - $started);
} catch (EventLogException | RuntimeException $e) {
    fwrite(STDERR, 'seed failed: ' . $e->getMessage() . PHP_EOL);
    exit(1);
}
