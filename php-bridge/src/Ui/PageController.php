<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

use StreamEvents\EventLog;
use StreamEvents\Exception\AccessDenied;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\NotFound;
use StreamEvents\Http\DemoAuth;
use StreamEvents\Http\Response;
use StreamEvents\Principal;

/**
 * Routes of the pages: GET /stream-events, GET /services/{id}/stream-events
 * and, in demo mode only, GET /demo/sign-in?as=admin|reseller|customer (the
 * switcher's no-script fallback and a shareable "sign in as" link).
 */
final class PageController
{
    private const DEMO_USERS = [
        'demo-admin' => "Admin (id 1) \u{2014} whole panel",
        'demo-reseller' => "Reseller (id 2) \u{2014} its customers",
        'demo-customer' => "Customer (id 4) \u{2014} own services",
    ];

    /**
     * @param \Closure(): EventLog $openEventLog
     * @param array{accounts: list<array<string,mixed>>, services: list<array<string,mixed>>}|null $demoDirectory
     *        the demo panel's directory, for the side menu (demo mode only)
     */
    public function __construct(
        private readonly \Closure $openEventLog,
        private readonly ?array $demoDirectory = null,
        private readonly StreamEventsPage $page = new StreamEventsPage(),
    ) {
    }

    /** The response for this request, or null when the path is not one of the pages. */
    public function handle(string $method, string $path, array $query, ?Principal $principal): ?Response
    {
        $serviceId = null;
        if ($path === '/stream-events' || $path === '/stream-events/') {
            // global view
        } elseif (preg_match('#^/services/([1-9][0-9]{0,17})/stream-events/?$#', $path, $m)) {
            $serviceId = (int) $m[1];
        } elseif ($path === '/demo/sign-in' && DemoAuth::enabled()) {
            return self::demoSignIn($query);
        } else {
            return null;
        }
        if ($method !== 'GET' && $method !== 'HEAD') {
            return Response::error(405, 'method_not_allowed', "Method $method is not allowed here; use GET.", null, ['Allow' => 'GET, HEAD']);
        }
        return $this->page->render($serviceId, $this->options(), $this->status($principal, $serviceId));
    }

    /**
     * The page's own HTTP status: 403 outside the principal's scope, 404 for an
     * unknown service, asked of the library (the script then shows why from
     * the API's answer). Nobody signed in yet is left to the script.
     */
    private function status(?Principal $principal, ?int $serviceId): int
    {
        if ($principal === null || $serviceId === null) {
            return 200;
        }
        try {
            ($this->openEventLog)()->query($principal, ['serviceId' => $serviceId, 'perPage' => 1]);
            return 200;
        } catch (AccessDenied) {
            return 403;
        } catch (NotFound) {
            return 404;
        } catch (EventLogException $e) {
            error_log('stream-events page: ' . $e->getMessage());
            return 200; // the script reports the API's error
        }
    }

    private function options(): array
    {
        if (!DemoAuth::enabled()) {
            return [];
        }
        $users = [];
        foreach (self::DEMO_USERS as $token => $label) {
            [$role, $id] = DemoAuth::TOKENS[$token];
            $users[] = ['token' => $token, 'label' => $label, 'role' => $role, 'id' => $id];
        }
        return [
            'demo' => true,
            'demoUsers' => $users,
            'services' => $this->demoDirectory['services'] ?? [],
            'accounts' => $this->demoDirectory['accounts'] ?? [],
        ];
    }

    private static function demoSignIn(array $query): Response
    {
        $token = 'demo-' . (is_string($query['as'] ?? null) ? $query['as'] : '');
        if (!isset(DemoAuth::TOKENS[$token])) {
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
