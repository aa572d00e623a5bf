<?php

declare(strict_types=1);

namespace StreamEvents\Demo;

use StreamEvents\Principal;
use StreamEvents\Ui\PageView;

/**
 * The demo panel's layout, standing in for a real panel's: a banner that
 * says this is a demo, with a sign-in switcher (a plain form; the demo's
 * script submits it on change), a side menu with the services the account
 * may see, and the page's fragment in the main column. The panel's own words
 * are English; the fragment is in the viewer's language.
 */
final class DemoFrame
{
    /** @param list<array<string,mixed>> $services the services $who may see */
    public function render(PageView $view, ?Principal $who, array $services, string $requestUri): string
    {
        $path = (string) parse_url($requestUri, PHP_URL_PATH);
        $options = '';
        foreach (DemoAuth::USERS as $token => [$role, $id, $label]) {
            $selected = $who !== null && $who->role === $role && $who->id === $id ? ' selected' : '';
            $options .= '<option value="' . self::e(substr($token, strlen('demo-'))) . "\"$selected>" . self::e($label) . '</option>';
        }
        $items = '';
        foreach ($services as $s) {
            $href = '/services/' . (int) $s['id'] . '/stream-events';
            $status = ($s['removed'] ?? false) ? 'removed' : (string) ($s['status'] ?? 'active');
            $items .= '<li><a href="' . $href . '"' . self::current($path, $href) . '><bdi>' . self::e((string) $s['name']) . '</bdi></a>'
                . ($status !== 'active' ? ' <span class="demo-pill demo-' . self::e($status) . '">' . self::e($status) . '</span>' : '')
                . "</li>\n";
        }
        $servicesMenu = $items === '' ? '' : "<h2 id=\"demo-services\">Services</h2>\n<ul aria-labelledby=\"demo-services\">\n$items</ul>\n";
        $title = self::e($view->title);
        $next = self::e($requestUri);
        $all = self::current($path, '/stream-events');
        $assets = DemoController::ASSETS;
        return <<<HTML
            <!DOCTYPE html>
            <html lang="{$view->language}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{$title} · Demo panel</title>
            <link rel="icon" href="/assets/stream-events.svg">
            <link rel="stylesheet" href="{$assets}/stream-events-demo.css">
            <script src="{$assets}/stream-events-demo.js" defer></script>
            </head>
            <body class="demo">
            <header class="demo-banner" id="se-demo-banner" lang="en">
            <p><strong>Demo mode</strong> — sign-in is simulated by the demo server; data is generated.</p>
            <form class="demo-signin" action="/demo/sign-in" method="get">
            <label for="se-demo-user">Signed in as</label>
            <select id="se-demo-user" name="as">{$options}</select>
            <input type="hidden" name="next" value="{$next}">
            <button type="submit" class="demo-switch">Switch</button>
            </form>
            </header>
            <div class="demo-shell">
            <nav class="demo-menu" id="demo-menu" aria-label="Panel menu" lang="en">
            <button type="button" class="demo-menu-toggle" aria-expanded="false" aria-controls="demo-menu-items">Menu</button>
            <div class="demo-menu-items" id="demo-menu-items">
            <ul>
            <li><a href="/stream-events"{$all}>Stream Events of all services</a></li>
            </ul>
            {$servicesMenu}</div>
            </nav>
            <main class="demo-main">
            {$view->html}</main>
            </div>
            </body>
            </html>

            HTML;
    }

    private static function current(string $path, string $href): string
    {
        return rtrim($path, '/') === $href ? ' aria-current="page"' : '';
    }

    private static function e(string $s): string
    {
        return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }
}
