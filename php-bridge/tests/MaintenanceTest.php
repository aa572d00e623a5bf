<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Principal;

/** bin/stream-events-maintenance, run as cron would run it. */
final class MaintenanceTest extends TestCase
{
    /** @return array{int, string, string} exit code, stdout, stderr */
    private static function maintenance(array $args): array
    {
        $cmd = array_merge([dirname(__DIR__) . '/bin/stream-events-maintenance'], $args);
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['STREAM_EVENTS_LIB' => Fixture::library()] + getenv());
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        return [proc_close($proc), $out, $err];
    }

    public function testPrunesOldEventsAndSaysHowMany(): void
    {
        $path = Fixture::tempDir() . '/events.sqlite';
        $log = EventLog::open($path, ['retentionDays' => 30], Fixture::library());
        $now = intdiv((int) (microtime(true) * 1000), 1000) * 1000;
        $day = 86_400_000;
        $old = static fn (int $days) => ['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup'], 'time' => $now - $days * $day];
        $log->logBatch([$old(29), $old(20), $old(10), $old(1)]);
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada', 'resellerId' => null]], []);
        $later = $now + 15 * $day;

        [$exit, $out, $err] = self::maintenance(['--db', $path, '--now', (string) $later]);
        self::assertSame(0, $exit, $err);
        self::assertSame("Pruned 2 events from $path.\n", $out);
        self::assertSame(2, $log->query(Principal::admin(1))['total']);

        // The window is the store's: a worker opening with other options does not change it, the command does.
        EventLog::open($path, ['retentionDays' => 1], Fixture::library());
        [$exit, $out] = self::maintenance(['--db', $path, '--now', (string) $later]);
        self::assertSame("Pruned 0 events from $path.\n", $out);
        [$exit, $out] = self::maintenance(['--db', $path, '--retention-days', '7', '--now', (string) $now]);
        self::assertSame(0, $exit);
        self::assertSame("Retention window of $path set to 7 days.\nPruned 1 event from $path.\n", $out);
    }

    public function testFailsWithAMessage(): void
    {
        [$exit, $out, $err] = self::maintenance(['--db', Fixture::tempDir() . '/missing.sqlite']);
        self::assertSame(1, $exit);
        self::assertSame('', $out);
        self::assertStringContainsString('no event store', $err);

        $notAStore = Fixture::tempDir() . '/notes.sqlite';
        (new \PDO("sqlite:$notAStore"))->exec('CREATE TABLE notes (body TEXT)');
        [$exit, , $err] = self::maintenance(['--db', $notAStore]);
        self::assertSame(1, $exit);
        self::assertStringContainsString('EL_ESCHEMA', $err);

        [$exit, , $err] = self::maintenance(['--db', $notAStore, '--retention-days', 'many']);
        self::assertSame(2, $exit);
        self::assertStringContainsString('--retention-days', $err);
        [$exit, , $err] = self::maintenance(['--bogus']);
        self::assertSame(2, $exit);
        self::assertStringContainsString('usage', $err);
    }
}
