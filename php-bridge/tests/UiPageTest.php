<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Principal;
use StreamEvents\Ui\PageController;
use StreamEvents\Ui\StreamEventsPage;

/** The page routes (the browser suite in tests/ui drives the script itself). */
final class UiPageTest extends TestCase
{
    private static EventLog $log;
    private string|false $demoEnv;

    public static function setUpBeforeClass(): void
    {
        self::$log = Fixture::openStore();
        $d = Fixture::directory();
        self::$log->putDirectory($d['accounts'], $d['services']);
        self::$log->log(['type' => 'service.start', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => 4, 'name' => 'x']]);
    }

    protected function setUp(): void
    {
        $this->demoEnv = getenv('STREAM_EVENTS_DEMO');
        putenv('STREAM_EVENTS_DEMO=1');
    }

    protected function tearDown(): void
    {
        putenv($this->demoEnv === false ? 'STREAM_EVENTS_DEMO' : "STREAM_EVENTS_DEMO={$this->demoEnv}");
    }

    private function controller(array $directory = ['accounts' => [], 'services' => []]): PageController
    {
        $log = self::$log;
        return new PageController(static fn (): EventLog => $log, $directory);
    }

    public function testPagesAreServedWithAStrictPolicyAndInertConfig(): void
    {
        $hostile = ['accounts' => [], 'services' => [['id' => 42, 'name' => '</script><script>alert(1)</script>', 'ownerId' => 4]]];
        $r = $this->controller($hostile)->handle('GET', '/stream-events', [], null);
        $this->assertNotNull($r);
        $this->assertSame(200, $r->status);
        $this->assertStringContainsString("script-src 'self'", $r->headers['Content-Security-Policy']);
        $html = $r->bodyString();
        $this->assertStringNotContainsString('<script>alert', $html);
        preg_match('#<script id="se-config" type="application/json">(.*?)</script>#s', $html, $m);
        $config = json_decode($m[1], true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame('</script><script>alert(1)</script>', $config['services'][0]['name']);
        $this->assertTrue($config['demo']);
        $this->assertNull($config['serviceId']);
        $this->assertSame(['demo-admin', 'demo-reseller', 'demo-customer'], array_column($config['demoUsers'], 'token'));
    }

    public function testServicePageStatusFollowsTheLibrarysScope(): void
    {
        $c = $this->controller();
        $this->assertSame(200, $c->handle('GET', '/services/42/stream-events', [], Principal::customer(4))->status);
        $this->assertSame(403, $c->handle('GET', '/services/43/stream-events', [], Principal::customer(4))->status);
        $this->assertSame(404, $c->handle('GET', '/services/999999/stream-events', [], Principal::admin(1))->status);
        $this->assertSame(200, $c->handle('GET', '/services/43/stream-events', [], null)->status, 'not signed in: the script says so');
        $this->assertSame(405, $c->handle('POST', '/stream-events', [], null)->status);
        $this->assertNull($c->handle('GET', '/services/abc/stream-events', [], null));
        $this->assertNull($c->handle('GET', '/controller/EventLog', [], null));
    }

    public function testDemoSignInSetsTheCookieAndOnlyRedirectsLocally(): void
    {
        $c = $this->controller();
        $r = $c->handle('GET', '/demo/sign-in', ['as' => 'customer', 'next' => '/services/42/stream-events?page=2'], null);
        $this->assertSame(303, $r->status);
        $this->assertSame('/services/42/stream-events?page=2', $r->headers['Location']);
        $this->assertStringStartsWith('stream_events_demo=demo-customer;', $r->headers['Set-Cookie']);
        foreach (['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)'] as $next) {
            $this->assertSame('/stream-events', $c->handle('GET', '/demo/sign-in', ['as' => 'admin', 'next' => $next], null)->headers['Location'], $next);
        }
        $this->assertSame(400, $c->handle('GET', '/demo/sign-in', ['as' => 'root'], null)->status);
        putenv('STREAM_EVENTS_DEMO');
        $this->assertNull($c->handle('GET', '/demo/sign-in', ['as' => 'admin'], null), 'no sign-in outside demo mode');
        $config = $this->pageConfig((new StreamEventsPage())->render(7)->bodyString());
        $this->assertFalse($config['demo']);
        $this->assertSame(7, $config['serviceId']);
    }

    private function pageConfig(string $html): array
    {
        preg_match('#<script id="se-config" type="application/json">(.*?)</script>#s', $html, $m);
        return json_decode($m[1], true, 512, JSON_THROW_ON_ERROR);
    }
}
