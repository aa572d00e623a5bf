<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Exception\LibraryError;
use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;
use StreamEvents\Principal;

/** The front door of /controller/EventLog and its answers for each role on the seeded directory. */
final class EventLogControllerTest extends TestCase
{
    private static EventLog $log;
    private EventLogController $controller;

    public static function setUpBeforeClass(): void
    {
        self::$log = Fixture::seededStore();
    }

    protected function setUp(): void
    {
        $this->controller = self::controller(self::$log);
    }

    /** A controller over $log whose panel has signed in $who (nobody: null). */
    private static function controller(EventLog $log, ?Principal $who = null): EventLogController
    {
        return new EventLogController(static fn (): EventLog => $log, Fixture::signedIn($who));
    }

    private static function json(Response $r): array
    {
        self::assertSame('application/json; charset=utf-8', $r->headers['Content-Type']);
        self::assertSame('nosniff', $r->headers['X-Content-Type-Options']);
        return json_decode($r->bodyString(), true, 512, JSON_THROW_ON_ERROR);
    }

    private static function serviceIds(array $page): array
    {
        $ids = array_values(array_unique(array_column($page['logs'], 'serviceId')));
        sort($ids);
        return $ids;
    }

    private static function total(int ...$services): int
    {
        return array_sum(array_map(static fn ($s) => Fixture::EVENTS_PER_SERVICE[$s] ?? 0, $services));
    }

    public function testAdminSeesEverythingAndTheBodyIsTheLibrarysJson(): void
    {
        $r = $this->controller->respond(Principal::admin(1), null, ['per_page' => '100']);
        self::assertSame(200, $r->status);
        self::assertSame(self::$log->queryJson(Principal::admin(1), ['perPage' => 100]), $r->bodyString());
        $page = self::json($r);
        self::assertSame(['logs', 'total', 'page', 'perPage', 'totalPages', 'cursor'], array_keys($page));
        self::assertSame([42, 43, 44, 45, 46], self::serviceIds($page));
        self::assertSame(self::total(42, 43, 44, 45, 46), $page['total']);
    }

    public function testResellerSeesItsOwnAndItsCustomersServicesOnly(): void
    {
        $page = self::json($this->controller->respond(Principal::reseller(2), null, ['per_page' => '100']));
        self::assertSame([42, 43, 45, 46], self::serviceIds($page));
        self::assertSame(self::total(42, 43, 45, 46), $page['total']);
        $other = self::json($this->controller->respond(Principal::reseller(3), null, ['per_page' => '100']));
        self::assertSame([44], self::serviceIds($other));

        self::assertSame(200, $this->controller->respond(Principal::reseller(2), 43, [])->status);
        $denied = $this->controller->respond(Principal::reseller(2), 44, []);
        self::assertSame(403, $denied->status);
        self::assertSame('access_denied', self::json($denied)['error']['code']);
    }

    public function testCustomerSeesOwnServicesAndIsDeniedAnotherCustomers(): void
    {
        $mine = self::json($this->controller->respond(Principal::customer(4), 42, []));
        self::assertSame([42], self::serviceIds($mine));
        self::assertSame(self::total(42), $mine['total']);
        self::assertSame([42, 46], self::serviceIds(self::json($this->controller->respond(Principal::customer(4), null, []))),
            'a removed, expired service keeps its log visible');

        $r = $this->controller->respond(Principal::customer(4), 43, []);
        self::assertSame(403, $r->status);
        $error = self::json($r)['error'];
        self::assertSame('access_denied', $error['code']);
        self::assertNotSame('', $error['message']);
        // The same through the service_id filter of the global view.
        self::assertSame(403, $this->controller->respond(Principal::customer(4), null, ['service_id' => '43'])->status);
        // A service of its own without events is an empty page, not an error.
        $empty = self::json($this->controller->respond(Principal::customer(7), 47, []));
        self::assertSame([[], 0], [$empty['logs'], $empty['total']]);
    }

    public function testUnknownServiceIs404(): void
    {
        $r = $this->controller->respond(Principal::admin(1), 999, []);
        self::assertSame(404, $r->status);
        self::assertSame('not_found', self::json($r)['error']['code']);
    }

    /** customer_id: one customer's services, within scope (Fixture: reseller 2 has customers 4 and 5, reseller 3 has 6). */
    public function testOneCustomersServices(): void
    {
        $page = self::json($this->controller->respond(Principal::reseller(2), null, ['customer_id' => '4', 'per_page' => '500']));
        self::assertSame([42, 46], self::serviceIds($page));
        self::assertSame($page['total'], count($page['logs']));
        $denied = $this->controller->respond(Principal::reseller(2), null, ['customer_id' => '6']);
        self::assertSame([403, 'You may not see the events of this customer.'], [$denied->status, self::json($denied)['error']['message']]);
        $unknown = $this->controller->respond(Principal::admin(1), null, ['customer_id' => '2']);
        self::assertSame([404, 'There is no such customer.'], [$unknown->status, self::json($unknown)['error']['message']]);
        $bad = $this->controller->respond(Principal::admin(1), null, ['customer_id' => 'x']);
        self::assertSame([400, 'customer_id'], [$bad->status, self::json($bad)['error']['parameter']]);
    }

    public function testFiltersReachTheLibrary(): void
    {
        $admin = Principal::admin(1);
        $q = fn (array $query) => self::json($this->controller->respond($admin, null, $query));
        self::assertSame(4, $q(['category' => 'dj'])['total']);
        self::assertSame(self::total(42, 43, 44, 45, 46), $q(['category' => 'all'])['total']);
        self::assertSame(4, $q(['type' => 'dj.connect,mount.connect,'])['total']);
        self::assertSame(4, $q(['type' => ['dj.connect', 'mount.connect']])['total']);
        self::assertSame(2, $q(['actor' => 'system', 'service_id' => '44'])['total']);
        self::assertSame(3, $q(['q' => ' Alice '])['total']);
        $page = $q(['per_page' => '4', 'page' => '2']);
        self::assertSame([2, 4, 4], [$page['page'], $page['perPage'], count($page['logs'])]);

        $events = Fixture::events();
        $t3 = $events[3]['time'];
        $t5 = $events[5]['time'];
        self::assertSame(2, $q(['from' => (string) $t3, 'to' => (string) $t5])['total']);
        $rfc = static fn (int $ms) => gmdate('Y-m-d\TH:i:s', intdiv($ms, 1000)) . 'Z';
        self::assertSame(2, $q(['from' => $rfc($t3), 'to' => $rfc($t5)])['total']);
        $plusTwo = static fn (int $ms) => (new \DateTimeImmutable('@' . intdiv($ms, 1000)))->setTimezone(new \DateTimeZone('+02:00'))->format('Y-m-d\TH:i:s.000P');
        self::assertSame(2, $q(['from' => $plusTwo($t3), 'to' => $plusTwo($t5)])['total']);
        // A date as `to` includes that whole day.
        $day = gmdate('Y-m-d', intdiv($events[0]['time'], 1000));
        $lastDay = gmdate('Y-m-d', intdiv(end($events)['time'], 1000));
        self::assertSame(self::total(42, 43, 44, 45, 46), $q(['from' => $day, 'to' => $lastDay])['total']);
    }

    /** @return iterable<string, array{array<string,mixed>, string}> */
    public static function badParameters(): iterable
    {
        yield 'category' => [['category' => 'music'], 'category'];
        yield 'type unknown' => [['type' => 'dj.connect,dj.teleport'], 'type'];
        yield 'type nested' => [['type' => [['dj.connect']]], 'type'];
        yield 'service_id text' => [['service_id' => 'abc'], 'service_id'];
        yield 'service_id zero' => [['service_id' => '0'], 'service_id'];
        yield 'actor' => [['actor' => 'robot'], 'actor'];
        yield 'from' => [['from' => 'yesterday'], 'from'];
        yield 'from bad date' => [['from' => '2026-02-30'], 'from'];
        yield 'to bad time' => [['to' => '2026-11-27T25:00:00Z'], 'to'];
        yield 'q too long' => [['q' => str_repeat('x', 257)], 'q'];
        yield 'q too many bytes' => [['q' => str_repeat('é', 150)], 'q'];
        yield 'q not utf-8' => [['q' => "\xff"], 'q'];
        yield 'page zero' => [['page' => '0'], 'page'];
        yield 'page negative' => [['page' => '-1'], 'page'];
        yield 'page array' => [['page' => ['1']], 'page'];
        yield 'per_page too big' => [['per_page' => '501'], 'per_page'];
        yield 'per_page float' => [['per_page' => '2.5'], 'per_page'];
        yield 'format' => [['format' => 'xml'], 'format'];
        yield 'format on a download with a bad per_page' => [['format' => 'csv', 'per_page' => 'x'], 'per_page'];
        yield 'bom other than 1 or 0' => [['format' => 'csv', 'bom' => 'yes'], 'bom'];
        yield 'bom as a list' => [['format' => 'csv', 'bom' => ['1']], 'bom'];
        yield 'bom on JSON Lines' => [['format' => 'jsonl', 'bom' => '1'], 'bom'];
        yield 'bom on a page' => [['bom' => '1'], 'bom'];
        yield 'unknown' => [['serviceId' => '42'], 'serviceId'];
    }

    /** @dataProvider badParameters */
    public function testBadParametersAre400NamingTheParameter(array $query, string $parameter): void
    {
        $r = $this->controller->respond(Principal::admin(1), null, $query);
        self::assertSame(400, $r->status);
        $error = self::json($r)['error'];
        self::assertSame('invalid_parameter', $error['code']);
        self::assertSame($parameter, $error['parameter']);
        self::assertStringStartsWith($parameter, $error['message']);
        self::assertDoesNotMatchRegularExpression('/el_query|el_export|EL_E|perPage|serviceId must|types/', $error['message']);
    }

    public function testTheLibraryJudgesAndItsMessageSpeaksOfTheHttpParameter(): void
    {
        $error = self::json($this->controller->respond(Principal::admin(1), null, ['per_page' => '501']))['error'];
        self::assertSame(['code' => 'invalid_parameter', 'message' => 'per_page must be an integer from 1 to 500', 'parameter' => 'per_page'], $error);
        $error = self::json($this->controller->respond(Principal::admin(1), null, ['q' => str_repeat('é', 150)]))['error'];
        self::assertSame(['q', 'q is longer than 256 bytes'], [$error['parameter'], $error['message']]);
        $error = self::json($this->controller->respond(Principal::admin(1), null, ['type' => 'dj.connect,dj.teleport']))['error'];
        self::assertSame('type: unknown event type \'dj.teleport\'', $error['message']);
        // A range the library finds empty is an empty page, not a second judge's 400.
        self::assertSame(0, self::json($this->controller->respond(Principal::admin(1), null, ['from' => '2026-11-27', 'to' => '2026-11-26']))['total']);
    }

    /** @return iterable<string, array{string, string}> */
    public static function misspeltParameters(): iterable
    {
        yield 'the library\'s key' => ['serviceId', 'did you mean service_id?'];
        yield 'the library\'s key for the page size' => ['perPage', 'did you mean per_page?'];
        yield 'the library\'s list key' => ['types', 'did you mean type?'];
        yield 'another separator' => ['Per-Page', 'did you mean per_page?'];
        yield 'a typo' => ['categroy', 'did you mean category?'];
        yield 'another word' => ['x', 'the parameters are category, type, service_id, customer_id, actor, from, to, q, page, per_page, after, format, bom.'];
    }

    /** @dataProvider misspeltParameters */
    public function testAnUnknownParameterIs400WithTheSpellingMeant(string $name, string $hint): void
    {
        $r = $this->controller->respond(Principal::admin(1), null, [$name => '5']);
        self::assertSame(400, $r->status);
        self::assertSame(['code' => 'invalid_parameter', 'message' => "$name is not a parameter of this API; $hint", 'parameter' => $name],
            self::json($r)['error']);
    }

    public function testTheFrontDoorAnswersMethodSignInAndPathItself(): void
    {
        $untouched = new EventLogController(static fn () => self::fail('the store must not be opened'), Fixture::signedIn(null));
        self::assertNull($untouched->handle('GET', '/stream-events', []));
        self::assertNull($untouched->handle('GET', '/controller/EventLogs', []));
        $r = $untouched->handle('POST', '/controller/EventLog', []);
        self::assertSame([405, 'GET, HEAD', 'method_not_allowed'], [$r->status, $r->headers['Allow'], self::json($r)['error']['code']]);
        $r = $untouched->handle('GET', '/controller/EventLog/42', []);
        self::assertSame([401, 'Bearer realm="stream-events"', 'unauthorized'], [$r->status, $r->headers['WWW-Authenticate'], self::json($r)['error']['code']]);

        $customer = new EventLogController(static fn (): EventLog => self::$log, Fixture::signedIn(Principal::customer(4)));
        foreach (['/controller/EventLog/abc', '/controller/EventLog/0', '/controller/EventLog/'] as $path) {
            $r = $customer->handle('GET', $path, []);
            self::assertSame([400, 'id'], [$r->status, self::json($r)['error']['parameter']], $path);
        }
        self::assertSame([42], self::serviceIds(self::json($customer->handle('GET', '/controller/EventLog/42', []))));
        self::assertSame(403, $customer->handle('GET', '/controller/EventLog/43/', [])->status);
        self::assertSame(200, $customer->handle('HEAD', '/controller/EventLog', [])->status);
        $mounted = new EventLogController(static fn (): EventLog => self::$log, Fixture::signedIn(Principal::admin(1)), '/panel/events');
        self::assertSame(200, $mounted->handle('GET', '/panel/events/42', [])->status);
        self::assertNull($mounted->handle('GET', '/controller/EventLog', []));
    }

    public function testAStoreThatCannotBeOpenedIs503(): void
    {
        $broken = new EventLogController(static fn () => throw new LibraryError('no library here'), Fixture::signedIn(Principal::admin(1)));
        $errorLog = Fixture::tempDir() . '/php-error.log';
        $previous = ini_set('error_log', $errorLog);
        try {
            $r = $broken->handle('GET', '/controller/EventLog', []);
        } finally {
            ini_set('error_log', (string) $previous);
        }
        self::assertSame([503, 'unavailable'], [$r->status, self::json($r)['error']['code']]);
        self::assertStringContainsString('no library here', (string) file_get_contents($errorLog));
        self::assertSame(400, $broken->handle('GET', '/controller/EventLog', ['per_page' => ['1']])->status, 'a bad parameter needs no store');
    }

    public function testHeadOfADownloadSendsItsHeadersAndBuildsNoExport(): void
    {
        $r = $this->controller->respond(Principal::customer(4), 42, ['format' => 'csv'], true);
        self::assertSame(200, $r->status);
        self::assertFalse($r->isStreamed(), 'HEAD builds no rows');
        self::assertSame('', $r->bodyString());
        self::assertSame('text/csv; charset=utf-8', $r->headers['Content-Type']);
        self::assertStringStartsWith('attachment; filename="stream-events-service-42-', $r->headers['Content-Disposition']);
        self::assertSame(403, $this->controller->respond(Principal::customer(5), 42, ['format' => 'csv'], true)->status, 'the same status as GET');
        self::assertSame(400, $this->controller->respond(Principal::customer(4), 42, ['format' => 'csv', 'actor' => 'robot'], true)->status);
    }

    public function testServiceIdContradictingThePathIs400(): void
    {
        $r = $this->controller->respond(Principal::admin(1), 42, ['service_id' => '43']);
        self::assertSame(400, $r->status);
        self::assertSame('service_id', self::json($r)['error']['parameter']);
        self::assertSame(200, $this->controller->respond(Principal::admin(1), 42, ['service_id' => '42'])->status);
    }

    public function testCsvDownloadOfAServiceIsStreamedWithHeaders(): void
    {
        $r = $this->controller->respond(Principal::customer(4), 42, ['format' => 'csv', 'page' => '3', 'per_page' => '1']);
        self::assertSame(200, $r->status);
        self::assertTrue($r->isStreamed());
        self::assertSame('text/csv; charset=utf-8', $r->headers['Content-Type']);
        self::assertSame('attachment; filename="stream-events-service-42-' . gmdate('Ymd') . '.csv"', $r->headers['Content-Disposition']);
        self::assertSame('nosniff', $r->headers['X-Content-Type-Options']);
        self::assertArrayNotHasKey('X-Accel-Buffering', $r->headers, 'nginx buffers the download, so a slow reader does not hold the worker');
        $csv = $r->bodyString();
        $rows = array_map('str_getcsv', explode("\r\n", rtrim($csv, "\r\n")));
        self::assertCount(1 + self::total(42), $rows, 'a download is every page of the filtered view');
        $header = $rows[0];
        foreach (['time_utc', 'type', 'dj_name', 'source_ip', 'message'] as $column) {
            self::assertContains($column, $header);
        }
        self::assertNotContains('customer', $header, 'only the global admin export adds service and customer columns');
        $types = array_column(array_map(static fn ($row) => array_combine($header, $row), array_slice($rows, 1)), 'type');
        self::assertContains('dj.connect', $types);
        self::assertStringContainsString('Alice', $csv);
        self::assertStringNotContainsString('Bob', $csv);
    }

    public function testJsonLinesDownloadOfTheGlobalViewFollowsTheFilter(): void
    {
        $r = $this->controller->respond(Principal::reseller(2), null, ['format' => 'jsonl', 'category' => 'dj']);
        self::assertSame('application/x-ndjson', $r->headers['Content-Type']);
        self::assertSame('attachment; filename="stream-events-all-dj-' . gmdate('Ymd') . '.jsonl"', $r->headers['Content-Disposition']);
        $rows = array_map(static fn ($l) => json_decode($l, true, 512, JSON_THROW_ON_ERROR), explode("\n", rtrim($r->bodyString(), "\n")));
        self::assertSame(['dj.connect', 'dj.connect', 'dj.disconnect', 'dj.on_air'], (static function (array $t) { sort($t); return $t; })(array_column($rows, 'type')));
    }

    public function testBomStartsTheCsvWithAByteOrderMarkAndChangesNothingElse(): void
    {
        $log = Fixture::openStore();
        $log->log(['type' => 'dj.connect', 'serviceId' => 42, 'djName' => 'Zoë Ünal']);
        $controller = self::controller($log);
        $plain = $controller->respond(Principal::admin(1), 42, ['format' => 'csv'])->bodyString();
        $r = $controller->respond(Principal::admin(1), 42, ['format' => 'csv', 'bom' => '1']);
        self::assertSame('text/csv; charset=utf-8', $r->headers['Content-Type']);
        self::assertSame("\xEF\xBB\xBF" . $plain, $r->bodyString());
        self::assertStringContainsString('Zoë Ünal', $plain);
        self::assertSame($plain, $controller->respond(Principal::admin(1), 42, ['format' => 'csv', 'bom' => '0'])->bodyString());
        self::assertSame('', $controller->respond(Principal::admin(1), 42, ['format' => 'csv', 'bom' => '1'], true)->bodyString(), 'HEAD: no body, no BOM');
    }

    /** @return iterable<string, array{?int, array<string,string>, string}> */
    public static function downloadNames(): iterable
    {
        $today = gmdate('Ymd');
        yield 'a service, everything kept' => [42, [], "stream-events-service-42-$today.csv"];
        yield 'the global view' => [null, ['category' => 'all'], "stream-events-all-$today.csv"];
        yield 'a category' => [null, ['category' => 'dj'], "stream-events-all-dj-$today.csv"];
        yield 'one type' => [null, ['type' => 'service.suspend'], "stream-events-all-service.suspend-$today.csv"];
        yield 'several types: their category' => [null, ['category' => 'dj', 'type' => 'dj.connect,dj.on_air'], "stream-events-all-dj-$today.csv"];
        yield 'a service by parameter, and dates (to: that whole day)' => [null, ['service_id' => '42', 'from' => '2026-11-01', 'to' => '2026-11-27'],
            'stream-events-service-42-20261101-20261127.csv'];
        yield 'from only: up to today' => [null, ['from' => '1764547200000'], "stream-events-all-20251201-$today.csv"];
        yield 'an exclusive end at midnight' => [null, ['to' => '2026-11-28T00:00:00Z'], 'stream-events-all-20261127.csv'];
        yield 'a time with an offset, as its UTC day' => [42, ['category' => 'mount', 'from' => '2026-11-26T23:30:00-02:00', 'to' => '1795867200000'],
            'stream-events-service-42-mount-20261127-20261128.csv'];
    }

    /** @dataProvider downloadNames */
    public function testADownloadIsNamedForWhatItHolds(?int $serviceId, array $query, string $name): void
    {
        $r = $this->controller->respond(Principal::admin(1), $serviceId, $query + ['format' => 'csv'], true);
        self::assertSame(200, $r->status);
        self::assertSame("attachment; filename=\"$name\"", $r->headers['Content-Disposition']);
    }

    public function testDownloadOutsideScopeIs403BeforeAnyByte(): void
    {
        $r = $this->controller->respond(Principal::customer(5), 42, ['format' => 'csv']);
        self::assertSame(403, $r->status);
        self::assertFalse($r->isStreamed());
    }

    public function testCsvCellsNeverStartAFormula(): void
    {
        $log = Fixture::openStore();
        $log->log(['type' => 'service.title_update', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => 4, 'name' => '=HYPERLINK("x")'],
            'details' => ['title' => '+cmd|calc']]);
        $log->log(['type' => 'dj.connect', 'serviceId' => 42, 'djName' => '@SUM(A1)']);
        $csv = self::controller($log)->respond(Principal::admin(1), null, ['format' => 'csv'])->bodyString();
        foreach (array_slice(explode("\r\n", rtrim($csv, "\r\n")), 1) as $line) {
            foreach (str_getcsv($line) as $cell) {
                self::assertDoesNotMatchRegularExpression('/^[=+\-@\t\r\n]/', $cell, "cell in: $line");
            }
        }
        self::assertStringContainsString('HYPERLINK', $csv);
    }

    public function testAStoreFailureIsAJson500WithoutInternals(): void
    {
        $log = Fixture::openStore();
        $controller = self::controller($log);
        $log->close();
        $errorLog = Fixture::tempDir() . '/php-error.log';
        $previous = ini_set('error_log', $errorLog);
        try {
            $r = $controller->respond(Principal::admin(1), null, []);
        } finally {
            ini_set('error_log', (string) $previous);
        }
        self::assertStringContainsString('has been closed', (string) file_get_contents($errorLog), 'the cause goes to the server log');
        self::assertSame(500, $r->status);
        self::assertSame(['code' => 'storage_error', 'message' => 'The event store failed; the error has been logged.'], self::json($r)['error']);
    }
}
