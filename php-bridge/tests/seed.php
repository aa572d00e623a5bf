<?php

declare(strict_types=1);

// php seed.php STORE: creates STORE with the test directory and events
// (used by the HTTP/OpenAPI checks, which need a store before the server starts).
require dirname(__DIR__) . '/autoload.php';
require __DIR__ . '/Fixture.php';

use StreamEvents\EventLog;
use StreamEvents\Tests\Fixture;

if ($argc < 2) {
    fwrite(STDERR, "usage: php seed.php STORE\n");
    exit(2);
}
$log = EventLog::open($argv[1]);
$dir = Fixture::directory();
$log->putDirectory($dir['accounts'], $dir['services']);
echo $log->logBatch(Fixture::events()), "\n";
$log->close();
