<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\Assert;
use StreamEvents\EventLog;
use StreamEvents\Http\Authenticator;
use StreamEvents\LibraryPath;
use StreamEvents\Principal;

/**
 * Temp stores and the seeded directory the tests share.
 *
 * The suite runs on either engine (tests/run.sh runs both): SQLite by default,
 * MariaDB with STREAM_EVENTS_TEST_ENGINE=mariadb and STREAM_EVENTS_TEST_MARIADB
 * the server's base URI (mysql://user:password@127.0.0.1:port). newStore()
 * then gives each test a database of its own, dropped when the process ends.
 * Tests about files (modes, read-only and replaced files, WAL) call
 * sqliteOnly() with the reason.
 *
 * Directory: admin 1; resellers 2 and 3; customers 4 and 5 (of reseller 2),
 * 6 (of reseller 3), 7 (no reseller). Services: 42 (customer 4), 43
 * (customer 5), 44 (customer 6), 45 (reseller 2 itself), 46 (customer 4,
 * expired and removed), 47 (customer 7, no events).
 */
final class Fixture
{
    /** A script that calls FFI itself: under ffi.enable=preload it must be refused. */
    public const FFI_OUTSIDE_PRELOAD = <<<'PHP'
        <?php
        try {
            FFI::cdef('int abs(int);', 'libc.so.6');
            echo 'FFI allowed';
        } catch (FFI\Exception $e) {
            echo 'refused: ', $e->getMessage();
        }
        PHP;

    /** Events per service in events(): scope arithmetic in the tests derives from this. */
    public const EVENTS_PER_SERVICE = [42 => 6, 43 => 3, 44 => 2, 45 => 2, 46 => 1];

    public const ENGINE_ENV = 'STREAM_EVENTS_TEST_ENGINE';
    public const MARIADB_ENV = 'STREAM_EVENTS_TEST_MARIADB';

    private static array $dirs = [];
    /** @var list<string> databases this process made on the test server */
    private static array $databases = [];

    /** "sqlite" or "mariadb": the engine this run tests. */
    public static function engine(): string
    {
        $engine = getenv(self::ENGINE_ENV) ?: 'sqlite';
        if (!in_array($engine, ['sqlite', 'mariadb'], true)) {
            throw new \RuntimeException(self::ENGINE_ENV . " must be sqlite or mariadb, not $engine");
        }
        return $engine;
    }

    public static function onMariaDb(): bool
    {
        return self::engine() === 'mariadb';
    }

    /** Skips the calling test on MariaDB, saying why it is about SQLite's files. */
    public static function sqliteOnly(string $why): void
    {
        if (self::onMariaDb()) {
            Assert::markTestSkipped("SQLite only: $why");
        }
    }

    /** Skips the calling test on SQLite, saying why it is about a database server. */
    public static function mariaDbOnly(string $why): void
    {
        if (!self::onMariaDb()) {
            Assert::markTestSkipped("MariaDB only: $why");
        }
    }

    /**
     * Where a new store goes: a file in a fresh directory (SQLite), or a
     * fresh database on the test server (MariaDB), dropped when the process ends.
     */
    public static function newStore(): string
    {
        if (!self::onMariaDb()) {
            return self::tempDir() . '/events.sqlite';
        }
        $name = self::newDatabaseName();
        return self::mariaDbBase() . '/' . $name;
    }

    /** A database name no test of this run has used; dropped when the process ends. */
    public static function newDatabaseName(): string
    {
        if (self::$databases === []) {
            register_shutdown_function(static function (): void {
                try { // a lock some connection of a failed test still holds must not hang the run
                    self::sql('SET SESSION lock_wait_timeout = 10;'
                        . implode(';', array_map(static fn (string $d) => "DROP DATABASE IF EXISTS `$d`", self::$databases)));
                } catch (\RuntimeException $e) {
                    fwrite(STDERR, 'test databases not dropped: ' . $e->getMessage() . "\n");
                }
            });
        }
        return self::$databases[] = 'se_test_' . getmypid() . '_' . count(self::$databases);
    }

    /** The test server's base URI, mysql://user:password@host:port (no database). */
    public static function mariaDbBase(): string
    {
        $base = getenv(self::MARIADB_ENV);
        if (!is_string($base) || !preg_match('#^mysql://[^/]+$#', $base)) {
            throw new \RuntimeException(self::MARIADB_ENV . ' must be the test server as mysql://user:password@host:port (tests/run.sh starts one)');
        }
        return $base;
    }

    /**
     * Runs SQL on the test server with the mariadb client (the bridge has no
     * SQL of its own): tab-separated rows, no header. $database: which one.
     *
     * @return list<list<string>>
     */
    public static function sql(string $sql, ?string $database = null): array
    {
        $url = parse_url(self::mariaDbBase());
        $cmd = ['mariadb', '--no-defaults', '--batch', '--skip-column-names', '--protocol=TCP',
            '--host=' . $url['host'], '--port=' . $url['port'], '--user=' . rawurldecode($url['user']), '-e', $sql];
        if ($database !== null) {
            $cmd[] = $database;
        }
        // The password through the environment, not the command line.
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null,
            ['MYSQL_PWD' => rawurldecode($url['pass'] ?? '')] + getenv());
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        if (proc_close($proc) !== 0) {
            throw new \RuntimeException("mariadb: $err");
        }
        return array_map(static fn (string $line) => explode("\t", $line), array_filter(explode("\n", $out), 'strlen'));
    }

    /**
     * The mariadb client connected to the test server and left open, for a
     * test that holds a transaction while the library works: its pipes, and
     * 'close' (ends the connection; an open transaction rolls back).
     *
     * @return array{stdin: resource, stdout: resource, stderr: resource, close: \Closure(): void}
     */
    private static function sqlClient(string $database): array
    {
        $url = parse_url(self::mariaDbBase());
        $proc = proc_open(['mariadb', '--no-defaults', '--batch', '--unbuffered', '--skip-column-names', '--protocol=TCP',
            '--host=' . $url['host'], '--port=' . $url['port'], '--user=' . rawurldecode($url['user']), $database],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['MYSQL_PWD' => rawurldecode($url['pass'] ?? '')] + getenv());
        return ['stdin' => $pipes[0], 'stdout' => $pipes[1], 'stderr' => $pipes[2], 'close' => static function () use ($proc, $pipes): void {
            foreach ($pipes as $pipe) {
                fclose($pipe);
            }
            proc_close($proc);
        }];
    }

    /**
     * Runs `BEGIN; $lock` in a mariadb client left open and returns once the
     * lock is held, then runs `$then` (e.g. `DO SLEEP(3); COMMIT`, to let go
     * by itself); returns what ends the connection (an open transaction
     * rolls back).
     */
    public static function holdLock(string $database, string $lock, string $then = ''): \Closure
    {
        $client = self::sqlClient($database);
        fwrite($client['stdin'], "BEGIN; $lock; SELECT 'locked';" . ($then === '' ? '' : " $then;") . "\n");
        while (($line = fgets($client['stdout'])) !== false && trim($line) !== 'locked') {
        }
        if ($line === false) {
            Assert::fail('the mariadb client did not take the lock: ' . stream_get_contents($client['stderr']));
        }
        return $client['close'];
    }

    /** The database name of a store URI. */
    public static function databaseOf(string $store): string
    {
        return basename((string) parse_url($store, PHP_URL_PATH));
    }

    public static function repo(): string
    {
        return dirname(__DIR__, 2);
    }

    public static function library(): string
    {
        return LibraryPath::resolve();
    }

    /** A fresh directory, removed when the test process ends. */
    public static function tempDir(): string
    {
        $dir = sys_get_temp_dir() . '/stream-events-test-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        if (self::$dirs === []) {
            register_shutdown_function(static function (): void {
                foreach (self::$dirs as $d) {
                    exec('rm -rf ' . escapeshellarg($d));
                }
            });
        }
        self::$dirs[] = $dir;
        return $dir;
    }

    /** A new store whose directory holds the admin (every principal must be an account of its role). */
    public static function openStore(array $options = []): EventLog
    {
        $log = EventLog::open(self::newStore(), $options, self::library());
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada Admin', 'resellerId' => null]], []);
        return $log;
    }

    public static function directory(): array
    {
        return [
            'accounts' => [
                ['id' => 1, 'role' => 'admin', 'name' => 'Ada Admin', 'resellerId' => null],
                ['id' => 2, 'role' => 'reseller', 'name' => 'Rita Reseller', 'resellerId' => null],
                ['id' => 3, 'role' => 'reseller', 'name' => 'Otto Reseller', 'resellerId' => null],
                ['id' => 4, 'role' => 'customer', 'name' => 'Carl Customer', 'resellerId' => 2],
                ['id' => 5, 'role' => 'customer', 'name' => 'Cora Customer', 'resellerId' => 2],
                ['id' => 6, 'role' => 'customer', 'name' => 'Dora Customer', 'resellerId' => 3],
                ['id' => 7, 'role' => 'customer', 'name' => 'Ned Direct', 'resellerId' => null],
            ],
            'services' => [
                ['id' => 42, 'name' => 'Carl FM', 'ownerId' => 4, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
                ['id' => 43, 'name' => 'Cora Radio', 'ownerId' => 5, 'kind' => 'shoutcast', 'status' => 'active', 'removed' => false],
                ['id' => 44, 'name' => 'Dora TV', 'ownerId' => 6, 'kind' => 'tv', 'status' => 'suspended', 'removed' => false],
                ['id' => 45, 'name' => 'Rita Promo', 'ownerId' => 2, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
                ['id' => 46, 'name' => 'Carl Old', 'ownerId' => 4, 'kind' => 'icecast', 'status' => 'expired', 'removed' => true],
                ['id' => 47, 'name' => 'Ned Live', 'ownerId' => 7, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
            ],
        ];
    }

    /** One event a minute, ending an hour ago; oldest first. */
    public static function events(): array
    {
        $user = static fn (int $id, string $name) => ['type' => 'user', 'id' => $id, 'name' => $name];
        $system = ['type' => 'system', 'id' => null, 'name' => null];
        $events = [
            ['type' => 'service.start', 'serviceId' => 43, 'actor' => $user(5, 'Cora Customer')],
            ['type' => 'mount.connect', 'serviceId' => 43, 'details' => ['mount' => '/stream', 'server' => 'ice1.example.net', 'port' => 8000]],
            ['type' => 'dj.connect', 'serviceId' => 43, 'djName' => 'Bob', 'sourceIp' => '198.51.100.2', 'takeover' => false],
            ['type' => 'service.suspend', 'serviceId' => 44, 'actor' => $system, 'details' => ['reason' => 'bandwidth']],
            ['type' => 'service.stop', 'serviceId' => 44, 'actor' => $system, 'details' => ['reason' => 'suspended']],
            ['type' => 'service.config_update', 'serviceId' => 45, 'actor' => $user(2, 'Rita Reseller'), 'details' => ['changes' => ['bitrate', 'max_listeners']]],
            ['type' => 'service.title_update', 'serviceId' => 45, 'actor' => $user(2, 'Rita Reseller'), 'details' => ['title' => 'Promo Hour']],
            ['type' => 'service.remove', 'serviceId' => 46, 'actor' => $user(1, 'Ada Admin')],
            ['type' => 'mount.connect', 'serviceId' => 42, 'sourceIp' => '203.0.113.7', 'details' => ['mount' => '/live']],
            ['type' => 'dj.connect', 'serviceId' => 42, 'djName' => 'Alice', 'sourceIp' => '203.0.113.7', 'takeover' => false],
            ['type' => 'dj.on_air', 'serviceId' => 42, 'djName' => 'Alice', 'sourceIp' => '203.0.113.7', 'takeover' => false],
            ['type' => 'dj.disconnect', 'serviceId' => 42, 'djName' => 'Alice', 'sourceIp' => '203.0.113.7'],
            ['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'dj_disconnect']],
            ['type' => 'service.restart', 'serviceId' => 42, 'actor' => $user(4, 'Carl Customer')],
        ];
        $start = (intdiv((int) (microtime(true) * 1000), 60_000) - 60 - count($events)) * 60_000;
        foreach ($events as $i => &$event) {
            $event['time'] = $start + $i * 60_000;
        }
        return $events;
    }

    /** How many of process $pid's open files are $path or its -wal/-shm companions. */
    public static function openFilesOf(int $pid, string $path): int
    {
        $links = array_map(static fn (string $fd) => (string) @readlink($fd), glob("/proc/$pid/fd/*"));
        return count(array_filter($links, static fn (string $l) => $l === $path || str_starts_with($l, "$path-")));
    }

    /**
     * How much of the store process $pid holds open: its files (the store
     * and its -wal/-shm) on SQLite; on MariaDB the connections to the store's
     * database, all of which are $pid's when no other process uses it.
     */
    public static function storeHandles(int $pid, string $store): int
    {
        if (!self::onMariaDb()) {
            return self::openFilesOf($pid, $store);
        }
        $database = self::databaseOf($store);
        return (int) self::sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$database'")[0][0];
    }

    /** A store with the directory and events() in it. */
    public static function seededStore(): EventLog
    {
        $log = self::openStore();
        $dir = self::directory();
        $log->putDirectory($dir['accounts'], $dir['services']);
        $log->logBatch(self::events());
        return $log;
    }

    /** The panel's sign-in as the controllers see it, with $who signed in (nobody: null). */
    public static function signedIn(?Principal $who): Authenticator
    {
        return new class ($who) implements Authenticator {
            public function __construct(private readonly ?Principal $who)
            {
            }

            public function authenticate(): ?Principal
            {
                return $this->who;
            }
        };
    }
}
