<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Http\EventLogController;
use StreamEvents\Principal;
use StreamEvents\Ui\PageController;
use StreamEvents\Ui\PageView;
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

    /** @param array<string,mixed> $options PageController's named arguments */
    private static function pages(?Principal $who, array $options = []): PageController
    {
        $log = self::$log;
        $auth = Fixture::signedIn($who);
        return new PageController(new EventLogController(static fn (): EventLog => $log, $auth), $auth, ...$options);
    }

    private static function config(string $html): array
    {
        preg_match('#<script id="se-config" type="application/json">(.*?)</script>#s', $html, $m);
        return json_decode($m[1], true, 512, JSON_THROW_ON_ERROR);
    }

    public function testPagesAreServedWithAStrictPolicyAndInertConfig(): void
    {
        $hostile = '</script><script>alert(1)</script>';
        $services = static fn (Principal $who): array => [['id' => 42, 'name' => $hostile, 'ownerId' => 4, 'secret' => 'panel-only']];
        $r = self::pages(Principal::customer(4), ['services' => $services])->handle('GET', '/services/42/stream-events', []);
        $this->assertNotNull($r);
        $this->assertSame(200, $r->status);
        $this->assertStringContainsString("script-src 'self'", $r->headers['Content-Security-Policy']);
        $html = $r->bodyString();
        $this->assertStringNotContainsString('<script>alert', $html);
        $this->assertStringContainsString('<title>Stream Events — &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>', $html);
        $config = self::config($html);
        $this->assertSame([['id' => 42, 'name' => $hostile, 'ownerId' => 4]], $config['services'], 'only what the page shows leaves the server');
        $this->assertSame(42, $config['serviceId']);
        $this->assertNull(self::config(self::pages(null, ['services' => $services])->handle('GET', '/stream-events', [])->bodyString())['services'],
            'nobody signed in: no services');
    }

    public function testThePageCarriesTheLibrarysCatalogTheStringsAndTheRetentionWindow(): void
    {
        $log = self::$log;
        $pages = self::pages(Principal::reseller(2), ['openEventLog' => static fn (): EventLog => $log]);
        $config = self::config($pages->handle('GET', '/services/42/stream-events', [])->bodyString());
        $catalog = EventLog::catalog();
        $this->assertSame($catalog['categories'], $config['catalog']['categories']);
        $this->assertSame($catalog['types'], $config['catalog']['types']);
        $this->assertSame($catalog['actorTypes'], $config['catalog']['actorTypes']);
        $this->assertSame(['serviceId' => 42, 'role' => 'reseller'], ['serviceId' => $config['serviceId'], 'role' => $config['role']]);
        $this->assertSame(['en', 'Stream Events'], [$config['language'], $config['strings']['page.title']]);
        $this->assertSame($log->storeInfo()['retentionDays'], $config['retentionDays']);
        $this->assertSame(StreamEventsPage::SEVERITY, $config['severity']);
        $this->assertNull(self::config(self::pages(Principal::admin(1))->handle('GET', '/stream-events', [])->bodyString())['retentionDays'],
            'no store given: no retention line');
    }

    public function testTheViewIsAFragmentForThePanelsOwnLayout(): void
    {
        $page = new StreamEventsPage(assetBase: '/vendor/stream-events');
        $pages = self::pages(Principal::customer(4), ['page' => $page, 'language' => 'de',
            'layout' => static fn (PageView $v): string => "<panel title=\"{$v->title}\" lang=\"{$v->language}\">{$v->html}</panel>"]);
        $view = $pages->view(43, []);
        $this->assertSame([403, 'de', 'Stream-Ereignisse — Dienst #43'], [$view->status, $view->language, $view->title]);
        $this->assertStringNotContainsString('<html', $view->html);
        $this->assertStringNotContainsString('<body', $view->html);
        $this->assertStringContainsString('<link rel="stylesheet" href="/vendor/stream-events/stream-events.css">', $view->html);
        $this->assertStringContainsString('<script src="/vendor/stream-events/stream-events.js" defer></script>', $view->html);
        $this->assertStringContainsString('<div id="se-app" class="se-app" lang="de" data-theme="auto"', $view->html);
        $r = $pages->handle('GET', '/services/43/stream-events', []);
        $this->assertSame(403, $r->status);
        $this->assertStringStartsWith('<panel title="Stream-Ereignisse — Dienst #43" lang="de"><link rel="stylesheet"', $r->bodyString());
        $bare = self::pages(Principal::customer(4))->handle('GET', '/stream-events', [])->bodyString();
        $this->assertStringStartsWith("<!DOCTYPE html>\n<html lang=\"en\">", $bare);
        $this->assertStringContainsString('<body class="se-page">', $bare);
    }

    public function testTheViewersLanguagePicksTheStrings(): void
    {
        foreach (['de-AT,de;q=0.9,en;q=0.8' => 'de', 'fr-FR,fr;q=0.9,de;q=0.5' => 'de', 'fr, en;q=0.1' => 'en', 'DE' => 'de',
            'de;q=0, en' => 'en', '' => 'en', 'x' . str_repeat(',', 1000) => 'en'] as $wanted => $language) {
            $config = self::config(self::pages(Principal::admin(1), ['language' => (string) $wanted])->handle('GET', '/stream-events', [])->bodyString());
            $this->assertSame($language, $config['language'], $wanted);
            $this->assertSame($language === 'de' ? 'Stream-Ereignisse' : 'Stream Events', $config['strings']['page.title'], $wanted);
        }
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
        $this->assertSame(200, $customer->handle('GET', '/stream-events', ['range' => '24h', 'customer_id' => '4'])->status, 'the page\'s own parameters');
        $this->assertSame(200, self::pages(null)->handle('GET', '/services/43/stream-events', [])->status, 'not signed in: the script says so');
        $this->assertSame(405, $customer->handle('POST', '/stream-events', [])->status);
        $this->assertNull($customer->handle('GET', '/services/abc/stream-events', []));
        $this->assertNull($customer->handle('GET', '/controller/EventLog', []));
    }
}
