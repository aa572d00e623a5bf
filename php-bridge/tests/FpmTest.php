<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;

/**
 * The bridge under real PHP-FPM with php.ini.example's lines (preload,
 * ffi.enable=preload): the front controller answers over FastCGI, panel code
 * logs through the typed helpers, a worker releases its store handle when a
 * request ends (the library keeps the store open for the next request), and
 * FFI stays closed to code that was not preloaded.
 */
final class FpmTest extends TestCase
{
    private static PhpFpm $fpm;
    private static string $store;
    private static string $scripts;

    public static function setUpBeforeClass(): void
    {
        self::$store = Fixture::onMariaDb() ? Fixture::newStore() : realpath(Fixture::tempDir()) . '/events.sqlite';
        exec(sprintf('%s %s %s 2>&1', PHP_BINARY, escapeshellarg(__DIR__ . '/seed.php'), escapeshellarg(self::$store)), $out, $exit);
        self::assertSame(0, $exit, implode("\n", $out));
        self::$scripts = Fixture::tempDir();
        // Panel code: no autoloader, the classes come from the preload.
        file_put_contents(self::$scripts . '/panel.php', <<<'PHP'
            <?php
            use StreamEvents\{Actor, EventLog, Events, ServiceAction};
            $log = EventLog::open(getenv('STREAM_EVENTS_DB'));
            $id = (new Events($log))->serviceAction(ServiceAction::Restart, 42, Actor::user(4, 'Carl Customer'));
            header('Content-Type: application/json');
            echo json_encode(['id' => $id, 'sapi' => PHP_SAPI, 'ffi' => ini_get('ffi.enable'), 'pid' => getmypid()]);
            PHP);
        file_put_contents(self::$scripts . '/rogue.php', Fixture::FFI_OUTSIDE_PRELOAD);
        self::$fpm = new PhpFpm(['STREAM_EVENTS_DB' => self::$store, 'STREAM_EVENTS_DEMO' => '1']);
    }

    public static function tearDownAfterClass(): void
    {
        self::$fpm->stop();
    }

    private static function api(string $uri, string $token, array $headers = []): array
    {
        return self::$fpm->get(dirname(__DIR__) . '/public/index.php', $uri, ['Authorization' => "Bearer $token"] + $headers);
    }

    public function testTheControllerAnswersUnderFpm(): void
    {
        $r = self::api('/controller/EventLog/42?per_page=100', 'demo-customer');
        self::assertSame(200, $r['status'], $r['body'] . self::$fpm->log());
        $page = json_decode($r['body'], true, 512, JSON_THROW_ON_ERROR);
        self::assertSame([42], array_values(array_unique(array_column($page['logs'], 'serviceId'))));
        self::assertSame(403, self::api('/controller/EventLog/43', 'demo-customer')['status']);
        $csv = self::api('/controller/EventLog/42?format=csv', 'demo-customer');
        self::assertSame('text/csv; charset=utf-8', $csv['headers']['content-type']);
        self::assertStringStartsWith('id,', $csv['body']);
    }

    public function testALivePollWithTheCurrentTagIsNotModified(): void
    {
        $page = self::api('/controller/EventLog/42?category=dj', 'demo-customer');
        $cursor = json_decode($page['body'], true, 512, JSON_THROW_ON_ERROR)['cursor'];
        self::assertSame("\"$cursor\"", $page['headers']['etag']);
        $poll = '/controller/EventLog/42?category=dj&after=' . rawurlencode($cursor);
        $r = self::api($poll, 'demo-customer', ['If-None-Match' => $page['headers']['etag']]);
        self::assertSame([304, '', "\"$cursor\""], [$r['status'], $r['body'], $r['headers']['etag']], self::$fpm->log());
    }

    public function testPanelCodeLogsThroughThePreloadedHelpersAndTheWorkerReusesItsStore(): void
    {
        $first = self::$fpm->get(self::$scripts . '/panel.php', '/panel.php');
        self::assertSame(200, $first['status'], $first['body'] . self::$fpm->log());
        $result = json_decode($first['body'], true, 512, JSON_THROW_ON_ERROR);
        self::assertSame(['fpm-fcgi', 'preload'], [$result['sapi'], $result['ffi']]);
        self::assertSame([$result['pid']], self::$fpm->workers(), 'one static worker');
        $open = Fixture::storeHandles($result['pid'], self::$store);
        self::assertGreaterThan(0, $open, 'the released store stays open in the worker for the next request');

        $ids = [$result['id']];
        for ($i = 0; $i < 20; $i++) {
            $ids[] = json_decode(self::$fpm->get(self::$scripts . '/panel.php', '/panel.php')['body'], true)['id'];
        }
        self::assertSame($open, Fixture::storeHandles($result['pid'], self::$store), 'each request took the same store again, none was added');
        $sorted = $ids;
        sort($sorted);
        self::assertSame($sorted, $ids);
        self::assertCount(21, array_unique($ids));

        $page = json_decode(self::api('/controller/EventLog/42?type=service.restart&per_page=100', 'demo-admin')['body'], true);
        self::assertSame(1 + count($ids), $page['total'], "the seed's restart of 42 plus ours");
    }

    public function testFfiOutsideThePreloadIsRefused(): void
    {
        $r = self::$fpm->get(self::$scripts . '/rogue.php', '/rogue.php');
        self::assertStringStartsWith('refused: ', $r['body']);
        self::assertStringContainsString('ffi.enable', $r['body']);
    }
}
