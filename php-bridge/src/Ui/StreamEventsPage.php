<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

use StreamEvents\EventType;
use StreamEvents\Http\EventLogController;

/**
 * The Stream Events page as a fragment a panel places in its own layout (the
 * global view under its own sidebar, a service's view under the service
 * menu), and as a bare document around that fragment for a panel that has
 * no layout to put it in.
 *
 * The fragment carries no events: the script loads them from the same JSON
 * API the controller serves, so there is one query path. Its configuration
 * (the library's event catalog, the viewer's strings, the services the panel
 * says the viewer may see) goes in a non-executable JSON block, escaped for
 * HTML, which lets the page run under a Content-Security-Policy that forbids
 * inline script.
 */
final class StreamEventsPage
{
    /**
     * Events that matter stand out on the page: by type, or by type and
     * actor ("service.stop:system", a stop by the system rather than the owner).
     */
    public const SEVERITY = [
        EventType::ServiceSuspend->value => 'critical',
        EventType::ServiceRemove->value => 'critical',
        EventType::ServiceStop->value . ':system' => 'critical',
        EventType::ServiceBitrateWarning->value => 'warning',
        EventType::DjKicked->value => 'warning',
        EventType::ServiceRestart->value . ':system' => 'warning',
    ];
    /** The keys of a service the page shows; anything else the panel passes stays on the server. */
    private const SERVICE_KEYS = ['id' => 0, 'name' => 0, 'kind' => 0, 'status' => 0, 'removed' => 0, 'ownerId' => 0, 'ownerName' => 0];

    /**
     * @param string $assetBase the URL of php-bridge/public/assets as the panel serves it
     * @param string $theme "auto" follows the viewer's prefers-color-scheme; "light" keeps a light-only host light
     */
    public function __construct(
        private readonly string $assetBase = '/assets',
        private readonly string $apiBase = EventLogController::PATH,
        private readonly string $pagesBase = '',
        private readonly Strings $strings = new Strings(),
        private readonly string $theme = 'auto',
    ) {
        if (!in_array($theme, ['auto', 'light'], true)) {
            throw new \InvalidArgumentException('theme must be auto or light.');
        }
    }

    /**
     * @param int|null $serviceId null for the global view
     * @param array{categories: list<array>, types: list<array>, actorTypes: list<string>} $catalog EventLog::catalog()
     * @param string|null $role the viewer's role when known (the subtitle says whose events these are)
     * @param int $status e.g. 403 when the viewer may not see this service (the script shows why)
     * @param string $language the viewer's language: a panel setting ("de") or an Accept-Language header
     * @param list<array<string,mixed>>|null $services the services the viewer may see (id, name, kind,
     *        status, removed, ownerId, ownerName) for the pickers and the title; null when the panel gives none
     * @param int|null $retentionDays the store's retention window, for the line that says how long events are kept
     */
    public function view(?int $serviceId, array $catalog, ?string $role = null, int $status = 200, string $language = '',
        ?array $services = null, ?int $retentionDays = null): PageView
    {
        $language = $this->strings->pick($language);
        $strings = $this->strings->load($language);
        $services = $services === null ? null : array_values(array_map(
            static fn (array $s): array => array_intersect_key($s, self::SERVICE_KEYS), $services));
        $config = [
            'apiBase' => $this->apiBase,
            'pagesBase' => $this->pagesBase,
            'serviceId' => $serviceId,
            'role' => $role,
            'catalog' => ['categories' => $catalog['categories'], 'types' => $catalog['types'], 'actorTypes' => $catalog['actorTypes']],
            'language' => $language,
            'strings' => $strings,
            'retentionDays' => $retentionDays,
            'services' => $services,
            'severity' => self::SEVERITY,
        ];
        // JSON_HEX_* keeps "</script>" and quotes inert inside the HTML block.
        $json = json_encode($config, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
            | JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT);
        $assets = self::e($this->assetBase);
        $noscript = self::e(strtr($strings['page.noscript'], ['{api}' => $this->apiBase]));
        $html = <<<HTML
            <link rel="stylesheet" href="{$assets}/stream-events.css">
            <link rel="stylesheet" href="{$assets}/stream-events-live.css">
            <script id="se-config" type="application/json">{$json}</script>
            <script src="{$assets}/stream-events.js" defer></script>
            <script src="{$assets}/stream-events-live.js" defer></script>
            <div id="se-app" class="se-app" lang="{$language}" data-theme="{$this->theme}" aria-busy="true"><noscript>{$noscript}</noscript></div>

            HTML;
        return new PageView($status, $this->title($serviceId, $services, $strings), $language, $html);
    }

    /** The view as a whole document of its own, for a panel without a layout to put it in. */
    public function document(PageView $view): string
    {
        $title = self::e($view->title);
        $assets = self::e($this->assetBase);
        return <<<HTML
            <!DOCTYPE html>
            <html lang="{$view->language}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{$title}</title>
            <link rel="icon" href="{$assets}/stream-events.svg">
            </head>
            <body class="se-page">
            <main>
            {$view->html}</main>
            </body>
            </html>

            HTML;
    }

    /** @return array<string,string> the headers of a page response */
    public static function headers(): array
    {
        return [
            'Content-Type' => 'text/html; charset=utf-8',
            'Cache-Control' => 'no-store',
            'X-Content-Type-Options' => 'nosniff',
            'Referrer-Policy' => 'same-origin',
            // Defence in depth behind textContent-only rendering: no inline script, no foreign origins.
            'Content-Security-Policy' => "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                . "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'",
        ];
    }

    /** @param list<array<string,mixed>>|null $services */
    private function title(?int $serviceId, ?array $services, array $strings): string
    {
        if ($serviceId === null) {
            return $strings['page.title'];
        }
        $name = null;
        foreach ($services ?? [] as $s) {
            if (($s['id'] ?? null) === $serviceId && is_string($s['name'] ?? null)) {
                $name = $s['name'];
            }
        }
        return strtr($strings['page.titleService'], ['{service}' => $name ?? strtr($strings['page.serviceNumber'], ['{id}' => $serviceId])]);
    }

    private static function e(string $s): string
    {
        return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }
}
