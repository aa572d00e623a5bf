<?php

declare(strict_types=1);

namespace StreamEvents\Tests\Demo;

use PHPUnit\Framework\TestCase;
use StreamEvents\Tests\Fixture;
use StreamEvents\Tests\PhpServer;

/** demo/run.sh with ENGINE=mariadb (`make demo ENGINE=mariadb`): its own MariaDB server, seeded, served, stopped with the demo. */
final class DemoRunTest extends TestCase
{
    public function testTheMariaDbDemoRunsItsOwnServerAndStopsIt(): void
    {
        Fixture::mariaDbOnly('the demo\'s MariaDB mode starts a MariaDB server');
        $root = Fixture::tempDir(); // the demo's server lives here, not in build/mariadb
        $port = PhpServer::freePort();
        $log = "$root/demo.log";
        $demo = proc_open([dirname(__DIR__, 2) . '/demo/run.sh'], [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']],
            $pipes, null, ['ENGINE' => 'mariadb', 'PORT' => (string) $port, 'SE_MARIADB_ROOT' => $root,
                'STREAM_EVENTS_HOOK_STATE' => "$root/hooks", 'STREAM_EVENTS_LIB' => Fixture::library()] + getenv());
        try {
            $page = null;
            for ($deadline = microtime(true) + 120; $page === null && microtime(true) < $deadline && proc_get_status($demo)['running'];) {
                usleep(200_000);
                $body = @file_get_contents("http://127.0.0.1:$port/controller/EventLog?per_page=1", false,
                    stream_context_create(['http' => ['header' => 'Authorization: Bearer demo-admin', 'ignore_errors' => true]]));
                $page = $body === false ? null : json_decode($body, true);
            }
            self::assertIsArray($page, (string) file_get_contents($log));
            preg_match('/^seeded (\S+): .*, (\d+) events/m', (string) file_get_contents($log), $m);
            self::assertStringStartsWith('mysql://se@127.0.0.1:', $m[1] ?? '', 'seeded a MariaDB database, named without its password');
            self::assertSame((int) $m[2], $page['total'], 'serves what it seeded');
            self::assertStringStartsWith('m1.', $page['cursor'], 'from MariaDB');
            $pid = (int) trim((string) file_get_contents("$root/demo/pid"));
            self::assertFileExists("/proc/$pid", 'its mariadbd runs');
        } finally {
            proc_terminate($demo); // SIGTERM, as make or a service manager stops it
            proc_close($demo);
        }
        self::assertFileDoesNotExist("/proc/$pid", 'the demo stopped its MariaDB server');
        self::assertStringNotContainsString(getenv('SE_MARIADB_PASSWORD') ?: 'se-test-pw', (string) file_get_contents($log));
    }
}
