<?php

declare(strict_types=1);

/*
 * Logs events through the bridge into the store the demo server serves, as
 * the panel would while someone watches a page (the browser suite's live checks).
 *
 *   php log_events.php '[{"type": "dj.connect", "serviceId": 101, "djName": "X"}, ...]'
 *
 * Store: $STREAM_EVENTS_DB. Prints the new events' ids, one a line.
 */

use StreamEvents\EventLog;

require dirname(__DIR__, 2) . '/autoload.php';

$log = EventLog::open((string) getenv('STREAM_EVENTS_DB'));
foreach (json_decode($argv[1] ?? '[]', true, 512, JSON_THROW_ON_ERROR) as $event) {
    echo $log->log($event), "\n";
}
