<?php

declare(strict_types=1);

namespace StreamEvents\Tests\Demo;

use PHPUnit\Framework\TestCase;
use StreamEvents\Demo\DemoMonth;
use StreamEvents\EventLog;
use StreamEvents\Exception\AccessDenied;
use StreamEvents\Principal;
use StreamEvents\Tests\Fixture;

/** The demo month (demo/DemoMonth.php) and demo/seed.php, against the real library. */
final class DemoSeedTest extends TestCase
{
    private const DAY = 86_400_000;

    private static function directory(): array
    {
        return require dirname(__DIR__, 2) . '/demo/directory.php';
    }

    public function testMonthIsDeterministicAndRelativeToNow(): void
    {
        $now = 1_800_000_000_000;
        $a = (new DemoMonth(self::directory(), $now))->events();
        $this->assertSame($a, (new DemoMonth(self::directory(), $now))->events());
        $later = (new DemoMonth(self::directory(), $now + 7 * self::DAY))->events();
        $this->assertCount(count($a), $later);
        $this->assertSame($a[100]['time'] + 7 * self::DAY, $later[100]['time']);
        foreach ($a as $e) {
            $this->assertGreaterThan($now - 30 * self::DAY, $e['time']);
            $this->assertLessThan($now, $e['time']);
        }
        $times = array_column($a, 'time');
        $sorted = $times;
        sort($sorted);
        $this->assertSame($sorted, $times);
    }

    public function testMonthTellsEveryStory(): void
    {
        $events = (new DemoMonth(self::directory(), 1_800_000_000_000))->events();
        $this->assertGreaterThan(2000, count($events));
        $this->assertLessThan(10000, count($events));
        $has = static fn (callable $p): bool => array_filter($events, $p) !== [];
        $reason = static fn (array $e): ?string => $e['details']['reason'] ?? null;
        $this->assertTrue($has(fn ($e) => $e['type'] === 'service.suspend' && $reason($e) === 'bandwidth' && $e['actor']['type'] === 'system'));
        $this->assertTrue($has(fn ($e) => $e['type'] === 'service.stop' && $reason($e) === 'account_expired'));
        $this->assertTrue($has(fn ($e) => $e['type'] === 'autodj.on_air' && $e['details']['trigger'] === 'dj_disconnect'));
        $this->assertTrue($has(fn ($e) => $e['type'] === 'dj.connect' && $e['takeover'] === true));
        $this->assertTrue($has(fn ($e) => ($e['djName'] ?? null) === DemoMonth::HOSTILE_DJ));
        $this->assertTrue($has(fn ($e) => ($e['djName'] ?? null) === DemoMonth::BIDI_DJ));
        foreach (['service.start', 'service.restart', 'service.config_update', 'service.title_update', 'service.bitrate_warning',
            'mount.connect', 'mount.disconnect', 'source.start', 'source.restart', 'dj.on_air', 'dj.kicked'] as $type) {
            $this->assertTrue($has(fn ($e) => $e['type'] === $type), $type);
        }
        foreach (['user', 'dj', 'api', 'system'] as $actor) {
            $this->assertTrue($has(fn ($e) => $e['actor']['type'] === $actor), $actor);
        }
        $this->assertTrue($has(fn ($e) => $e['type'] === 'service.remove' && $e['serviceId'] === 113), 'the removed service says so');
    }

    public function testTheNewestEventsAreAnOrdinaryHourNotTheHostileNames(): void
    {
        $now = 1_800_000_000_000;
        $events = (new DemoMonth(self::directory(), $now))->events();
        // The first page of every demo account: the panel's, and Radio Nova's (customer 4: 101-103).
        foreach ([$events, array_filter($events, static fn (array $e): bool => $e['serviceId'] <= 103)] as $view) {
            $newest = array_slice(array_reverse(array_values($view)), 0, 25);
            $this->assertGreaterThan($now - 3_600_000, $newest[5]['time'], 'a busy last hour');
            foreach ($newest as $e) {
                $names = [$e['djName'] ?? '', $e['actor']['name'] ?? '', json_encode($e['details'] ?? [])];
                foreach ([DemoMonth::HOSTILE_DJ, DemoMonth::BIDI_DJ, '<script>'] as $hostile) {
                    $this->assertStringNotContainsString($hostile, implode("\n", $names), "{$e['type']} at {$e['time']}");
                }
            }
        }
    }

    public function testSeedScriptBuildsTheStoreAndRebuildsItOnASecondRun(): void
    {
        $store = Fixture::onMariaDb() ? Fixture::newStore() : Fixture::tempDir() . '/var/demo.sqlite';
        $out = [];
        foreach ([1, 2] as $run) {
            // The store through the environment, as the demo passes it (a URI's password stays off the command line).
            exec(sprintf('STREAM_EVENTS_LIB=%s STREAM_EVENTS_DB=%s php -d ffi.enable=1 %s 2>&1', escapeshellarg(Fixture::library()),
                escapeshellarg($store), escapeshellarg(dirname(__DIR__, 2) . '/demo/seed.php')), $out[$run], $status);
            if ($run === 2 && Fixture::onMariaDb()) {
                // A database cannot be replaced from here: a second run leaves it as it is.
                $this->assertSame(1, $status, implode("\n", $out[$run]));
                $this->assertStringContainsString('already holds', implode("\n", $out[$run]));
                $this->assertStringNotContainsString((string) parse_url($store, PHP_URL_PASS), implode("\n", $out[$run]));
                break;
            }
            $this->assertSame(0, $status, "run $run: " . implode("\n", $out[$run]));
        }
        $seeded = $out[Fixture::onMariaDb() ? 1 : 2][0]; // the run that built the store as it is
        $this->assertMatchesRegularExpression('/^seeded .*: 8 accounts, 13 services, (\d+) events/', $seeded);
        preg_match('/, (\d+) events/', $seeded, $m);

        $log = EventLog::open($store, [], Fixture::library());
        try {
            $this->assertSame((int) $m[1], $log->query(Principal::admin(1), ['perPage' => 1])['total'], 'rebuilt, not appended');
            // The demo sign-in accounts see what their roles may see.
            $services = static function (array $page): array {
                $ids = array_unique(array_column($page['logs'], 'serviceId'));
                sort($ids);
                return $ids;
            };
            $this->assertSame([101, 102, 103], $services($log->query(Principal::customer(4), ['perPage' => 500, 'category' => 'service'])));
            $this->assertSame([101, 102, 103, 104, 105, 111, 113],
                $services($log->query(Principal::reseller(2), ['perPage' => 500, 'types' => ['service.start', 'service.restart', 'service.config_update']])));
            $suspended = $log->query(Principal::customer(4), ['serviceId' => 102, 'types' => ['service.suspend']]);
            $this->assertSame(1, $suspended['total'], 'the owner still sees its suspended service');
            $this->expectException(AccessDenied::class);
            $log->query(Principal::customer(4), ['serviceId' => 104]);
        } finally {
            $log->close();
        }
    }
}
