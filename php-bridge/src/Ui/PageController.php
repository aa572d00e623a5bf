<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Http\Authenticator;
use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;
use StreamEvents\Principal;

/**
 * The pages: view() gives a panel the fragment for its own layout; handle()
 * routes GET /stream-events and GET /services/{id}/stream-events and answers
 * with that fragment in a document (the panel's layout, or a bare one).
 */
final class PageController
{
    /** Parameters of the page URL that the script resolves itself: a time preset. */
    public const PAGE_ONLY = ['range'];

    /**
     * @param string|null $libraryPath the library the catalog comes from (default: LibraryPath::resolve())
     * @param (\Closure(): EventLog)|null $openEventLog the store, for the line that says how long events are kept
     * @param (\Closure(Principal): list<array<string,mixed>>)|null $services the services a viewer may see
     *        (id, name, kind, status, removed, ownerId, ownerName): the pickers, names and status labels come from it
     * @param string $language the viewer's language: the panel's own setting ("de") or the Accept-Language header
     * @param (\Closure(PageView): string)|null $layout the document around a view (default: a bare one)
     */
    public function __construct(
        private readonly EventLogController $api,
        private readonly Authenticator $authenticator,
        private readonly StreamEventsPage $page = new StreamEventsPage(),
        private readonly ?string $libraryPath = null,
        private readonly ?\Closure $openEventLog = null,
        private readonly ?\Closure $services = null,
        private readonly string $language = '',
        private readonly ?\Closure $layout = null,
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
        $view = $this->view($serviceId, $query);
        if ($view === null) {
            return Response::error(503, 'unavailable', 'The event log library is not available.');
        }
        $html = $this->layout !== null ? ($this->layout)($view) : $this->page->document($view);
        return new Response($view->status, StreamEventsPage::headers(), $html);
    }

    /**
     * The page of one service (or the global view) for the panel's layout;
     * null when the library cannot be loaded (the panel shows its own error).
     *
     * @param array<string,mixed> $query the request's query parameters ($_GET)
     */
    public function view(?int $serviceId, array $query): ?PageView
    {
        try {
            $catalog = EventLog::catalog($this->libraryPath);
        } catch (EventLogException $e) {
            error_log('stream-events page: ' . $e->getMessage());
            return null;
        }
        $who = $this->authenticator->authenticate();
        return $this->page->view($serviceId, $catalog, $who?->role, $this->status($who, $serviceId, $query), $this->language,
            $who !== null && $this->services !== null ? ($this->services)($who) : null, $this->retentionDays());
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
        $status = $this->api->respond($who, $serviceId, array_diff_key($query, array_flip(self::PAGE_ONLY)) + ['per_page' => '1'], true)->status;
        return $status < 500 ? $status : 200;
    }

    /** Null when there is no store to ask, or it cannot say: the page then leaves the line out. */
    private function retentionDays(): ?int
    {
        if ($this->openEventLog === null) {
            return null;
        }
        try {
            $days = ($this->openEventLog)()->storeInfo()['retentionDays'] ?? null;
            return is_int($days) ? $days : null;
        } catch (EventLogException $e) {
            error_log('stream-events page: ' . $e->getMessage());
            return null;
        }
    }
}
