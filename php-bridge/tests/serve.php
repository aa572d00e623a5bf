<?php

declare(strict_types=1);

/*
 * The shell runners' (and the demo's) way to start the bridge under php -S:
 * tests/PhpServer.php, with this process's environment. Prints the server's
 * base URL once it answers, then waits; SIGTERM or SIGINT stops the server,
 * and this exits (1) when the server dies on its own.
 *
 *   php serve.php [--preload] [--docroot DIR] [--port N] [--log FILE|-] ROUTER
 *
 * --log - : the server writes to this process's own output (the demo's terminal).
 *
 * From a shell, php-bridge/env.sh's stream_events_serve does the rest.
 */

use StreamEvents\Tests\PhpServer;

require dirname(__DIR__) . '/autoload.php';
require __DIR__ . '/Fixture.php';
require __DIR__ . '/ChildProcess.php';
require __DIR__ . '/PreloadIni.php';
require __DIR__ . '/PhpServer.php';

$options = getopt('', ['preload', 'docroot:', 'port:', 'log:'], $rest);
$router = $argv[$rest] ?? null;
if ($router === null) {
    fwrite(STDERR, "usage: php serve.php [--preload] [--docroot DIR] [--port N] [--log FILE|-] ROUTER\n");
    exit(2);
}
pcntl_async_signals(true);
foreach ([SIGTERM, SIGINT] as $signal) {
    pcntl_signal($signal, static fn () => exit(0)); // the server stops as $server goes away
}
try {
    $docroot = isset($options['docroot']) ? (realpath($options['docroot']) ?: $options['docroot']) : null;
    $server = new PhpServer(realpath($router) ?: $router, [], isset($options['preload']), $docroot,
        isset($options['port']) ? (int) $options['port'] : null, $options['log'] ?? null);
} catch (RuntimeException $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}
echo $server->url, "\n";
while ($server->running()) {
    usleep(200_000);
}
fwrite(STDERR, "php -S exited:\n" . $server->log());
exit(1);
