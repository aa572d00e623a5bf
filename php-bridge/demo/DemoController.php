<?php

declare(strict_types=1);

namespace StreamEvents\Demo;

use StreamEvents\Http\Response;
use StreamEvents\Principal;
use StreamEvents\Ui\PageView;

/**
 * What the demo server adds to the bridge, in demo mode only
 * (STREAM_EVENTS_DEMO=1): the panel it stands in for, that is the layout the
 * pages' fragment sits in (a demo banner with a sign-in switcher and a side
 * menu, DemoFrame) and the services each demo account may see; and its
 * routes: GET /demo/sign-in?as=admin|reseller|customer (the switcher's form
 * and a shareable "sign in as" link), GET / (to the pages) and the demo's
 * assets.
 */
final class DemoController
{
    public const ASSETS = '/demo/assets';
    private const ASSET_TYPES = ['js' => 'text/javascript; charset=utf-8', 'css' => 'text/css; charset=utf-8'];

    /** @param array{accounts: list<array<string,mixed>>, services: list<array<string,mixed>>} $directory demo/directory.php */
    public function __construct(private readonly array $directory)
    {
    }

    /**
     * The services $who may see, with their owner's name: what a panel
     * knows from its own tables, here worked out from the demo directory.
     *
     * @return list<array<string,mixed>>
     */
    public function servicesFor(Principal $who): array
    {
        $accounts = array_column($this->directory['accounts'], null, 'id');
        $visible = [];
        foreach ($this->directory['services'] as $s) {
            $owner = $accounts[$s['ownerId']] ?? null;
            $mine = match ($who->role) {
                'admin' => true,
                'reseller' => $s['ownerId'] === $who->id || ($owner['resellerId'] ?? null) === $who->id,
                default => $s['ownerId'] === $who->id,
            };
            if ($mine) {
                $visible[] = $s + ['ownerName' => $owner['name'] ?? null];
            }
        }
        return $visible;
    }

    /** The demo panel's page around a view: banner, sign-in switcher and menu. */
    public function frame(PageView $view, ?Principal $who, string $requestUri): string
    {
        return (new DemoFrame())->render($view, $who, $who !== null ? $this->servicesFor($who) : [], $requestUri);
    }

    /**
     * The response for one of the demo's routes, or null. A visitor nobody
     * has signed in yet is signed in as the admin on the way to a page.
     */
    public function handle(string $method, string $path, array $query, ?Principal $who = null): ?Response
    {
        if (!DemoAuth::enabled() || ($method !== 'GET' && $method !== 'HEAD')) {
            return null;
        }
        if ($path === '/') {
            return new Response(302, ['Location' => '/stream-events'], '');
        }
        if ($who === null && preg_match('#^/(services/[1-9][0-9]{0,17}/)?stream-events/?$#', $path)) {
            $next = $path . ($query === [] ? '' : '?' . http_build_query($query));
            return new Response(303, ['Location' => '/demo/sign-in?' . http_build_query(['as' => 'admin', 'next' => $next]),
                'Cache-Control' => 'no-store'], '');
        }
        if ($path === '/demo/sign-in') {
            return self::signIn($query);
        }
        if (str_starts_with($path, self::ASSETS . '/')) {
            return self::asset(substr($path, strlen(self::ASSETS) + 1));
        }
        return null;
    }

    private static function asset(string $file): ?Response
    {
        $type = self::ASSET_TYPES[pathinfo($file, PATHINFO_EXTENSION)] ?? null;
        // A plain file name: nothing outside demo/assets is reachable.
        if ($type === null || !preg_match('/^[a-z0-9-]+\.[a-z]+$/', $file) || !is_file(__DIR__ . '/assets/' . $file)) {
            return null;
        }
        return new Response(200, ['Content-Type' => $type, 'Cache-Control' => 'no-cache', 'X-Content-Type-Options' => 'nosniff'],
            (string) file_get_contents(__DIR__ . '/assets/' . $file));
    }

    private static function signIn(array $query): Response
    {
        $token = 'demo-' . (is_string($query['as'] ?? null) ? $query['as'] : '');
        if (!isset(DemoAuth::USERS[$token])) {
            return Response::error(400, 'invalid_parameter', 'as must be one of admin, reseller, customer.', 'as');
        }
        $next = is_string($query['next'] ?? null) ? $query['next'] : '/stream-events';
        // Only local paths: no open redirect.
        if (!preg_match('#^/(?![/\\\\])[^\s]*$#', $next)) {
            $next = '/stream-events';
        }
        return new Response(303, [
            'Location' => $next,
            'Set-Cookie' => DemoAuth::COOKIE . '=' . $token . '; Path=/; SameSite=Lax',
            'Cache-Control' => 'no-store',
        ], '');
    }
}
