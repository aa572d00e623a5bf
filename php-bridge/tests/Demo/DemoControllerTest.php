<?php

declare(strict_types=1);

namespace StreamEvents\Tests\Demo;

use PHPUnit\Framework\TestCase;
use StreamEvents\Demo\DemoAuth;
use StreamEvents\Demo\DemoController;
use StreamEvents\Principal;
use StreamEvents\Ui\PageView;

/** The demo server's own routes and sign-in, in demo mode and outside it. */
final class DemoControllerTest extends TestCase
{
    private string|false $demoEnv;

    protected function setUp(): void
    {
        $this->demoEnv = getenv('STREAM_EVENTS_DEMO');
        putenv('STREAM_EVENTS_DEMO=1');
    }

    protected function tearDown(): void
    {
        putenv($this->demoEnv === false ? 'STREAM_EVENTS_DEMO' : "STREAM_EVENTS_DEMO={$this->demoEnv}");
    }

    private static function demo(): DemoController
    {
        return new DemoController(['accounts' => [], 'services' => []]);
    }

    public function testSignInSetsTheCookieAndOnlyRedirectsLocally(): void
    {
        $r = self::demo()->handle('GET', '/demo/sign-in', ['as' => 'customer', 'next' => '/services/42/stream-events?page=2']);
        $this->assertSame(303, $r->status);
        $this->assertSame('/services/42/stream-events?page=2', $r->headers['Location']);
        $this->assertStringStartsWith('stream_events_demo=demo-customer;', $r->headers['Set-Cookie']);
        foreach (['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)'] as $next) {
            $this->assertSame('/stream-events', self::demo()->handle('GET', '/demo/sign-in', ['as' => 'admin', 'next' => $next])->headers['Location'], $next);
        }
        $this->assertSame(400, self::demo()->handle('GET', '/demo/sign-in', ['as' => 'root'])->status);
        $first = self::demo()->handle('GET', '/services/42/stream-events', ['q' => 'a b']);
        $this->assertSame([303, '/demo/sign-in?as=admin&next=%2Fservices%2F42%2Fstream-events%3Fq%3Da%2Bb'], [$first->status, $first->headers['Location']],
            'a first visit signs in as the admin');
        $this->assertNull(self::demo()->handle('GET', '/stream-events', [], Principal::customer(4)), 'signed in: the page itself');
    }

    public function testTokensAndTheCookieSignInOnlyInDemoMode(): void
    {
        $bearer = new DemoAuth(['HTTP_AUTHORIZATION' => 'Bearer demo-reseller'], []);
        $this->assertSame(['reseller', 2], [$bearer->authenticate()->role, $bearer->authenticate()->id]);
        $this->assertSame(4, (new DemoAuth([], [DemoAuth::COOKIE => 'demo-customer']))->authenticate()->id);
        $this->assertNull((new DemoAuth(['HTTP_AUTHORIZATION' => 'Bearer demo-root'], []))->authenticate());
        putenv('STREAM_EVENTS_DEMO');
        $this->assertNull($bearer->authenticate(), 'nobody outside demo mode');
        $this->assertNull(self::demo()->handle('GET', '/demo/sign-in', ['as' => 'admin']), 'no sign-in route outside demo mode');
    }

    public function testTheFrameIsAPanelAroundTheFragmentWithTheAccountsServices(): void
    {
        $demo = new DemoController(require dirname(__DIR__, 2) . '/demo/directory.php');
        $ids = static fn (array $services): array => array_column($services, 'id');
        $this->assertCount(13, $demo->servicesFor(Principal::admin(1)));
        $this->assertSame([101, 102, 103, 104, 105, 111, 113], $ids($demo->servicesFor(Principal::reseller(2))));
        $this->assertSame([101, 102, 103], $ids($demo->servicesFor(Principal::customer(4))));
        $this->assertSame('Radio Nova', $demo->servicesFor(Principal::customer(4))[0]['ownerName']);

        $view = new PageView(200, 'Stream Events', 'de', '<div id="se-app"></div>');
        $html = $demo->frame($view, Principal::reseller(2), '/services/113/stream-events?q="x"');
        $this->assertStringContainsString('<html lang="de">', $html);
        $this->assertStringContainsString('<main class="demo-main">' . "\n" . '<div id="se-app"></div>', $html);
        $this->assertStringContainsString('<option value="reseller" selected>', $html);
        $this->assertStringContainsString('name="next" value="/services/113/stream-events?q=&quot;x&quot;"', $html);
        $this->assertStringContainsString('<a href="/services/113/stream-events" aria-current="page"><bdi>Club Beats Weekender</bdi></a> <span class="demo-pill demo-removed">removed</span>', $html);
        // Each menu link is named by where it goes.
        preg_match_all('#<a [^>]*>(.*?)</a>#', $html, $m);
        $this->assertSame(count($m[1]), count(array_unique($m[1])), implode(', ', $m[1]));
        $this->assertStringContainsString('<script src="/demo/assets/stream-events-demo.js" defer></script>', $html);

        $js = self::demo()->handle('GET', '/demo/assets/stream-events-demo.js', []);
        $this->assertSame(['text/javascript; charset=utf-8', 'nosniff'], [$js->headers['Content-Type'], $js->headers['X-Content-Type-Options']]);
        $this->assertNull(self::demo()->handle('GET', '/demo/assets/../directory.php', []));
        $this->assertNull(self::demo()->handle('GET', '/demo/assets/DemoAuth.php', []));
    }
}
