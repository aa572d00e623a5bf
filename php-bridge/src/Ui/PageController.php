<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Http\Authenticator;
use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;
use StreamEvents\Principal;

/** Routes of the pages: GET /stream-events and GET /services/{id}/stream-events. */
final class PageController
{
    /** @param string|null $libraryPath the library the catalog comes from (default: LibraryPath::resolve()) */
    public function __construct(
        private readonly EventLogController $api,
        private readonly Authenticator $authenticator,
        private readonly StreamEventsPage $page = new StreamEventsPage(),
        private readonly ?string $libraryPath = null,
    ) {
    }

    /** The response for this request, or null when the path is not one of the pages. */
    public function handle(string $method, string $path, array $query): ?Response
    {
        $serviceId = null;
        if (preg_match('#^/services/([1-9][0-9]{0,17})/stream-events/?$#', $path, $m)) {
            $serviceId = (int) $m[1];
        } elseif ($path !== '/stream-events' && $path !== '/stream-events/') {
            return null;
        }
        if ($method !== 'GET' && $method !== 'HEAD') {
            return Response::error(405, 'method_not_allowed', "Method $method is not allowed here; use GET.", null, ['Allow' => 'GET, HEAD']);
        }
        try {
            $catalog = EventLog::catalog($this->libraryPath);
        } catch (EventLogException $e) {
            error_log('stream-events page: ' . $e->getMessage());
            return Response::error(503, 'unavailable', 'The event log library is not available.');
        }
        $who = $this->authenticator->authenticate();
        return $this->page->render($serviceId, $catalog, $who?->role, $this->status($who, $serviceId, $query));
    }

    /**
     * The page's own HTTP status is the API's for the same view: 403 outside
     * the viewer's scope, 404 for an unknown service, 400 for a bad parameter
     * (the script then shows the API's message). Nobody signed in yet, or a
     * failing store, is left to the script.
     */
    private function status(?Principal $who, ?int $serviceId, array $query): int
    {
        if ($who === null || ($serviceId === null && $query === [])) {
            return 200;
        }
        $status = $this->api->respond($who, $serviceId, $query + ['per_page' => '1'], true)->status;
        return $status < 500 ? $status : 200;
    }
}
