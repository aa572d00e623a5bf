<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Http\EventLogController;
use StreamEvents\Principal;
use StreamEvents\Ui\PageController;
use StreamEvents\Ui\StreamEventsPage;

/** The page routes (the browser suite in tests/ui drives the script itself). */
final class PageControllerTest extends TestCase
{
    private static EventLog $log;

    public static function setUpBeforeClass(): void
    {
        self::$log = Fixture::openStore();
        $d = Fixture::directory();
        self::$log->putDirectory($d['accounts'], $d['services']);
        self::$log->log(['type' => 'service.start', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => 4, 'name' => 'x']]);
    }

    private static function pages(?Principal $who, StreamEventsPage $page = new StreamEventsPage()): PageController
    {
        $log = self::$log;
        $auth = Fixture::signedIn($who);
        return new PageController(new EventLogController(static fn (): EventLog => $log, $auth), $auth, $page);
    }

    private static function config(string $html): array
    {
        preg_match('#<script id="se-config" type="application/json">(.*?)</script>#s', $html, $m);
        return json_decode($m[1], true, 512, JSON_THROW_ON_ERROR);
    }

    public function testPagesAreServedWithAStrictPolicyAndInertConfig(): void
    {
        $hostile = ['services' => [['id' => 42, 'name' => '</script><script>alert(1)</script>', 'ownerId' => 4]]];
        $page = new StreamEventsPage(hostScripts: ['/host/menu.js'], hostStyles: ['/host/menu.css'], hostConfig: $hostile);
        $r = self::pages(null, $page)->handle('GET', '/stream-events', []);
        $this->assertNotNull($r);
        $this->assertSame(200, $r->status);
        $this->assertStringContainsString("script-src 'self'", $r->headers['Content-Security-Policy']);
        $html = $r->bodyString();
        $this->assertStringNotContainsString('<script>alert', $html);
        $config = self::config($html);
        $this->assertSame('</script><script>alert(1)</script>', $config['host']['services'][0]['name']);
        $this->assertNull($config['serviceId']);
        $this->assertNull($config['role'], 'nobody signed in');
        // The host's script runs before the page's, its styles after the page's.
        $this->assertMatchesRegularExpression('#stream-events\.css".*/host/menu\.css".*/host/menu\.js".*stream-events\.js"#s', $html);
    }

    public function testThePageCarriesTheLibrarysCatalog(): void
    {
        $config = self::config(self::pages(Principal::reseller(2))->handle('GET', '/services/42/stream-events', [])->bodyString());
        $catalog = EventLog::catalog();
        $this->assertSame($catalog['categories'], $config['catalog']['categories']);
        $this->assertSame($catalog['types'], $config['catalog']['types']);
        $this->assertSame($catalog['actorTypes'], $config['catalog']['actorTypes']);
        $this->assertSame(['serviceId' => 42, 'role' => 'reseller'], ['serviceId' => $config['serviceId'], 'role' => $config['role']]);
        $this->assertEquals([], $config['host']);
    }

    public function testThePageStatusIsTheApisForTheSameView(): void
    {
        $customer = self::pages(Principal::customer(4));
        $this->assertSame(200, $customer->handle('GET', '/services/42/stream-events', [])->status);
        $this->assertSame(403, $customer->handle('GET', '/services/43/stream-events', [])->status);
        $this->assertSame(404, self::pages(Principal::admin(1))->handle('GET', '/services/999999/stream-events', [])->status);
        $this->assertSame(400, $customer->handle('GET', '/stream-events', ['from' => '2026-13-45'])->status);
        $this->assertSame(400, $customer->handle('GET', '/stream-events', ['serviceId' => '42'])->status);
        $this->assertSame(200, $customer->handle('GET', '/stream-events', ['category' => 'dj'])->status);
        $this->assertSame(200, self::pages(null)->handle('GET', '/services/43/stream-events', [])->status, 'not signed in: the script says so');
        $this->assertSame(405, $customer->handle('POST', '/stream-events', [])->status);
        $this->assertNull($customer->handle('GET', '/services/abc/stream-events', []));
        $this->assertNull($customer->handle('GET', '/controller/EventLog', []));
    }
}
