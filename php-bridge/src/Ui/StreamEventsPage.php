<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

use StreamEvents\Http\DemoAuth;
use StreamEvents\Http\Response;

/**
 * The Stream Events page shell: the global view (/stream-events) and one
 * service's view (/services/{id}/stream-events).
 *
 * The shell carries no events: the script loads them from the same JSON API
 * the controller serves, so there is one query path. Its configuration goes
 * in a non-executable JSON block (escaped for HTML), which lets the page run
 * under a Content-Security-Policy that forbids inline script.
 */
final class StreamEventsPage
{
    public function __construct(
        private readonly string $assetBase = '/assets',
        private readonly string $apiBase = '/controller/EventLog',
        private readonly string $pagesBase = '',
    ) {
    }

    /**
     * @param int|null $serviceId null for the global view
     * @param array{demo?: bool, demoUsers?: list<array{token: string, label: string, role: string, id: int}>,
     *              services?: list<array<string,mixed>>, accounts?: list<array<string,mixed>>} $options
     *        demo: show the demo banner and sign-in switcher; services/accounts: the side menu
     * @param int $status e.g. 403 when the principal may not see this service (the script shows why)
     */
    public function render(?int $serviceId, array $options = [], int $status = 200): Response
    {
        $config = [
            'apiBase' => $this->apiBase,
            'pagesBase' => $this->pagesBase,
            'serviceId' => $serviceId,
            'demo' => (bool) ($options['demo'] ?? false),
            'demoUsers' => $options['demoUsers'] ?? [],
            'demoCookie' => DemoAuth::COOKIE,
            'services' => $options['services'] ?? [],
            'accounts' => $options['accounts'] ?? [],
        ];
        // JSON_HEX_* keeps "</script>" and quotes inert inside the HTML block.
        $json = json_encode($config, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
            | JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT);
        $title = $serviceId === null ? 'Stream Events' : "Stream Events \u{2014} service #$serviceId";
        $assets = self::e($this->assetBase);
        $titleHtml = self::e($title);
        $apiHtml = self::e($this->apiBase);
        $html = <<<HTML
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{$titleHtml}</title>
            <link rel="icon" href="{$assets}/stream-events.svg">
            <link rel="stylesheet" href="{$assets}/stream-events.css">
            <script id="se-config" type="application/json">{$json}</script>
            <script src="{$assets}/stream-events.js" defer></script>
            </head>
            <body>
            <div id="se-app" aria-busy="true"><noscript>The Stream Events page needs JavaScript; the same data is available from {$apiHtml}.</noscript></div>
            </body>
            </html>

            HTML;
        return new Response($status, [
            'Content-Type' => 'text/html; charset=utf-8',
            'Cache-Control' => 'no-store',
            'X-Content-Type-Options' => 'nosniff',
            'Referrer-Policy' => 'same-origin',
            // Defence in depth behind textContent-only rendering: no inline script, no foreign origins.
            'Content-Security-Policy' => "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                . "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
        ], $html);
    }

    private static function e(string $s): string
    {
        return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }
}
