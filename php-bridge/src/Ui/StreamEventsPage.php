<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;

/**
 * The Stream Events page shell: the global view (/stream-events) and one
 * service's view (/services/{id}/stream-events).
 *
 * The shell carries no events: the script loads them from the same JSON API
 * the controller serves, so there is one query path. Its configuration, the
 * library's event catalog included, goes in a non-executable JSON block
 * (escaped for HTML), which lets the page run under a Content-Security-Policy
 * that forbids inline script.
 */
final class StreamEventsPage
{
    /**
     * @param list<string> $hostScripts the host's own scripts, run before the page's (they may set window.StreamEventsHost)
     * @param list<string> $hostStyles the host's own style sheets, after the page's
     * @param array<string,mixed> $hostConfig handed to those scripts as config.host
     */
    public function __construct(
        private readonly string $assetBase = '/assets',
        private readonly string $apiBase = EventLogController::PATH,
        private readonly string $pagesBase = '',
        private readonly array $hostScripts = [],
        private readonly array $hostStyles = [],
        private readonly array $hostConfig = [],
    ) {
    }

    /**
     * @param int|null $serviceId null for the global view
     * @param array{categories: list<array>, types: list<array>, actorTypes: list<string>} $catalog EventLog::catalog()
     * @param string|null $role the viewer's role when known (the subtitle says whose events these are)
     * @param int $status e.g. 403 when the viewer may not see this service (the script shows why)
     */
    public function render(?int $serviceId, array $catalog, ?string $role = null, int $status = 200): Response
    {
        $config = [
            'apiBase' => $this->apiBase,
            'pagesBase' => $this->pagesBase,
            'serviceId' => $serviceId,
            'role' => $role,
            'catalog' => ['categories' => $catalog['categories'], 'types' => $catalog['types'], 'actorTypes' => $catalog['actorTypes']],
            'host' => (object) $this->hostConfig,
        ];
        // JSON_HEX_* keeps "</script>" and quotes inert inside the HTML block.
        $json = json_encode($config, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
            | JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT);
        $title = $serviceId === null ? 'Stream Events' : "Stream Events \u{2014} service #$serviceId";
        $assets = self::e($this->assetBase);
        $titleHtml = self::e($title);
        $apiHtml = self::e($this->apiBase);
        $hostScripts = implode('', array_map(static fn (string $src): string => '<script src="' . self::e($src) . "\" defer></script>\n", $this->hostScripts));
        $hostStyles = implode('', array_map(static fn (string $href): string => '<link rel="stylesheet" href="' . self::e($href) . "\">\n", $this->hostStyles));
        $html = <<<HTML
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{$titleHtml}</title>
            <link rel="icon" href="{$assets}/stream-events.svg">
            <link rel="stylesheet" href="{$assets}/stream-events.css">
            {$hostStyles}<script id="se-config" type="application/json">{$json}</script>
            {$hostScripts}<script src="{$assets}/stream-events.js" defer></script>
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
