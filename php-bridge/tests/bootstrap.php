<?php

declare(strict_types=1);

require dirname(__DIR__) . '/demo/autoload.php';
foreach (['Fixture', 'ChildProcess', 'PreloadIni', 'PhpServer', 'FastCgi', 'PhpFpm'] as $support) {
    require __DIR__ . "/$support.php";
}

// The tests run against the real library: a missing build is a failure, not a skip.
$lib = \StreamEvents\Tests\Fixture::library();
if (!is_file($lib)) {
    fwrite(STDERR, "libeventlog.so not found at $lib (build it, or set STREAM_EVENTS_LIB)\n");
    exit(1);
}
