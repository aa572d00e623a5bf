<?php

declare(strict_types=1);

namespace StreamEvents\Tests\Demo;

use PHPUnit\Framework\TestCase;
use StreamEvents\Tests\Fixture;
use StreamEvents\Tests\PhpServer;

/** The demo server's front controller (public/index.php) over real HTTP (php -S, preloaded as under FPM), on a seeded store. */
final class DemoServerTest extends TestCase
{
    private static PhpServer $server;
    private static string $store;

    public static function setUpBeforeClass(): void
    {
        $store = self::$store = Fixture::onMariaDb() ? Fixture::newStore() : realpath(Fixture::tempDir()) . '/events.sqlite';
        exec(sprintf('%s %s %s 2>&1', PHP_BINARY, escapeshellarg(dirname(__DIR__) . '/seed.php'), escapeshellarg($store)), $out, $exit);
        self::assertSame(0, $exit, implode("\n", $out));
        self::$server = new PhpServer(dirname(__DIR__, 2) . '/public/index.php', ['STREAM_EVENTS_DB' => $store, 'STREAM_EVENTS_DEMO' => '1']);
    }

    public static function tearDownAfterClass(): void
    {
        self::$server->stop();
    }

    private static function error(array $r): array
    {
        self::assertStringStartsWith('application/json', $r['headers']['content-type']);
        return json_decode($r['body'], true, 512, JSON_THROW_ON_ERROR)['error'];
    }

    public function testSignInIsRequiredAndDemoTokensMapToPrincipals(): void
    {
        $r = self::$server->get('/controller/EventLog');
        self::assertSame(401, $r['status'], self::$server->log());
        self::assertSame('unauthorized', self::error($r)['code']);
        self::assertSame('Bearer realm="stream-events"', $r['headers']['www-authenticate']);
        self::assertSame(401, self::$server->get('/controller/EventLog', 'demo-nobody')['status']);

        $total = static fn (string $token) => json_decode(self::$server->get('/controller/EventLog', $token)['body'], true)['total'];
        $all = array_sum(Fixture::EVENTS_PER_SERVICE);
        self::assertSame($all, $total('demo-admin'));
        self::assertSame($all - Fixture::EVENTS_PER_SERVICE[44], $total('demo-reseller'));
        self::assertSame(Fixture::EVENTS_PER_SERVICE[42] + Fixture::EVENTS_PER_SERVICE[46], $total('demo-customer'));
    }

    public function testStatusCodesOverHttp(): void
    {
        self::assertSame(200, self::$server->get('/controller/EventLog/42', 'demo-customer')['status']);
        self::assertSame(403, self::$server->get('/controller/EventLog/43', 'demo-customer')['status']);
        self::assertSame(404, self::$server->get('/controller/EventLog/999', 'demo-admin')['status']);
        $r = self::$server->get('/controller/EventLog/abc', 'demo-admin');
        self::assertSame([400, 'id'], [$r['status'], self::error($r)['parameter']]);
        $r = self::$server->get('/controller/EventLog?page=zero', 'demo-admin');
        self::assertSame([400, 'page'], [$r['status'], self::error($r)['parameter']]);
        $r = self::$server->get('/controller/EventLog?serviceId=42', 'demo-admin');
        self::assertSame([400, 'serviceId is not a parameter of this API; did you mean service_id?'], [$r['status'], self::error($r)['message']]);
        $r = self::$server->get('/controller/EventLog', 'demo-admin', 'POST');
        self::assertSame([405, 'GET, HEAD'], [$r['status'], $r['headers']['allow']]);
        self::assertSame(404, self::$server->get('/no/such/route', 'demo-admin')['status']);
    }

    public function testResponsesSayNosniffAndNotWhatRunsThem(): void
    {
        foreach (['/controller/EventLog' => 200, '/controller/EventLog/43' => 403, '/controller/EventLog?format=csv' => 200, '/nowhere' => 404] as $path => $status) {
            $r = self::$server->get($path, 'demo-customer');
            self::assertSame($status, $r['status'], $path);
            self::assertSame('nosniff', $r['headers']['x-content-type-options'] ?? null, $path);
            self::assertArrayNotHasKey('x-powered-by', $r['headers'], $path);
        }
    }

    public function testCsvDownloadOverHttp(): void
    {
        $r = self::$server->get('/controller/EventLog/42?format=csv&type[]=dj.connect&type[]=dj.on_air', 'demo-customer');
        self::assertSame(200, $r['status'], $r['body']);
        self::assertSame('text/csv; charset=utf-8', $r['headers']['content-type']);
        self::assertSame('attachment; filename="stream-events-service-42-' . gmdate('Ymd') . '.csv"', $r['headers']['content-disposition']);
        $lines = explode("\r\n", rtrim($r['body'], "\r\n"));
        self::assertCount(3, $lines, $r['body']);
        self::assertStringContainsString('Alice', $lines[1] . $lines[2]);
        $head = self::$server->get('/controller/EventLog/42?format=csv', 'demo-customer', 'HEAD');
        self::assertSame([200, 'text/csv; charset=utf-8', ''], [$head['status'], $head['headers']['content-type'], $head['body']]);
    }

    public function testEachRequestTakesTheReleasedStoreAgain(): void
    {
        // PHP drops its statics with the request under php -S (as under FPM); the library keeps the store.
        self::assertSame(200, self::$server->get('/controller/EventLog', 'demo-admin')['status']);
        $open = Fixture::storeHandles(self::$server->pid, self::$store);
        self::assertGreaterThan(0, $open, 'the released store stays open for the next request');
        for ($i = 0; $i < 5; $i++) {
            self::assertSame(200, self::$server->get('/controller/EventLog?page=' . ($i % 3 + 1), 'demo-admin')['status']);
            self::assertSame($open, Fixture::storeHandles(self::$server->pid, self::$store), 'the same store, not another one');
        }
    }
}
