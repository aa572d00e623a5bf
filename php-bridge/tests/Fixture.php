<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use StreamEvents\EventLog;
use StreamEvents\Http\Authenticator;
use StreamEvents\LibraryPath;
use StreamEvents\Principal;

/**
 * Temp stores and the seeded directory the tests share.
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

    private static array $dirs = [];

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
        $log = EventLog::open(self::tempDir() . '/events.sqlite', $options, self::library());
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
