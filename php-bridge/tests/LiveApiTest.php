<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Http\EntityTag;
use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;
use StreamEvents\Principal;

/**
 * What a live page polls: `after` (only what was logged since a page's
 * cursor, same filters and scope), the cursor as ETag and the 304 that
 * answers "nothing new" from one cursor lookup.
 */
final class LiveApiTest extends TestCase
{
    private EventLog $log;
    private EventLogController $api;

    protected function setUp(): void
    {
        $this->log = Fixture::seededStore();
        $this->api = new EventLogController(fn (): EventLog => $this->log, Fixture::signedIn(null));
    }

    private function get(Principal $who, ?int $serviceId, array $query = [], ?string $ifNoneMatch = null, bool $head = false): Response
    {
        return $this->api->respond($who, $serviceId, $query, $head, $ifNoneMatch);
    }

    private static function page(Response $r): array
    {
        self::assertSame(200, $r->status, $r->bodyString());
        $page = json_decode($r->bodyString(), true, 512, JSON_THROW_ON_ERROR);
        self::assertSame("\"{$page['cursor']}\"", $r->headers['ETag'], 'the ETag is the body\'s cursor');
        return $page;
    }

    /**
     * The events of an `after` page the viewer had not seen. SQLite gives
     * exactly those above the cursor's id; MariaDB (ids in no order, the
     * cursor a time) may give again some the viewer already has (the pages
     * merge by id), never one outside the view: $seen is what the viewer
     * already had.
     *
     * @param list<array<string,mixed>> $seen
     * @return list<array<string,mixed>>
     */
    private static function news(array $page, string $cursor, array $seen): array
    {
        $seenIds = array_column($seen, 'id');
        if (Fixture::onMariaDb()) {
            return array_values(array_filter($page['logs'], static fn (array $e): bool => !in_array($e['id'], $seenIds, true)));
        }
        $last = (int) substr($cursor, strpos($cursor, '.') + 1);
        $again = array_values(array_filter($page['logs'], static fn (array $e): bool => $e['id'] <= $last));
        self::assertSame([], $again, 'only what was logged since the cursor');
        return $page['logs'];
    }

    /** The view's events up to now, every page: what a viewer has seen. */
    private function seen(Principal $who, ?int $serviceId, array $query = []): array
    {
        return self::page($this->get($who, $serviceId, $query + ['per_page' => '500']))['logs'];
    }

    /** A DJ connecting on $serviceId now; returns its id. */
    private function logDj(int $serviceId, string $dj = 'Live DJ', ?int $time = null): int
    {
        return $this->log->log(['type' => 'dj.connect', 'serviceId' => $serviceId, 'djName' => $dj] + ($time === null ? [] : ['time' => $time]));
    }

    public function testTheCursorIsTheStoresAndMovesWithEveryEventLogged(): void
    {
        $page = $this->log->query(Principal::customer(4));
        self::assertSame($page['cursor'], $this->log->cursor(), 'nothing logged since the page');
        $this->logDj(43); // another customer's: it moves everyone's cursor, and shows nobody anything
        self::assertNotSame($page['cursor'], $this->log->cursor());
        self::assertSame($this->log->cursor(), $this->log->query(Principal::admin(1), ['perPage' => 1])['cursor']);
    }

    public function testAfterGivesOnlyTheViewsEventsLoggedSinceWithTheWholeViewsTotal(): void
    {
        $customer = Principal::customer(4);
        $before = self::page($this->get($customer, null, ['category' => 'dj']));
        $foreign = $this->logDj(43, 'Foreign');
        $mine = $this->logDj(42, 'Mine');
        $this->log->log(['type' => 'service.restart', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => 4, 'name' => 'Carl']]);
        // Logged now with a time an hour ago (a hook delivering late): still new to the viewer.
        $late = $this->logDj(46, 'Late', (int) (microtime(true) * 1000) - 3_600_000);

        $since = self::page($this->get($customer, null, ['category' => 'dj', 'after' => $before['cursor']]));
        self::assertSame(array_keys($before), array_keys($since), 'the same JSON shape');
        $seen = $before['logs'];
        self::assertSame([$mine, $late], array_column(self::news($since, $before['cursor'], $seen), 'id'),
            'own DJ events only, newest first, the late one included');
        self::assertNotContains($foreign, array_column($since['logs'], 'id'));
        self::assertSame($before['total'] + 2, $since['total']);
        self::assertSame($this->log->cursor(), $since['cursor']);

        $nothing = self::page($this->get($customer, null, ['category' => 'dj', 'after' => $since['cursor']]));
        self::assertSame([[], $since['total'], $since['cursor']],
            [self::news($nothing, $since['cursor'], array_merge($seen, $since['logs'])), $nothing['total'], $nothing['cursor']]);
    }

    public function testAfterKeepsTheScopeOfEveryRoleAndService(): void
    {
        $cursor = $this->log->cursor();
        $seen = fn (Principal $who, ?int $service) => $this->seen($who, $service);
        $before = [];
        foreach ([[Principal::customer(4), null], [Principal::reseller(2), null], [Principal::reseller(3), null], [Principal::admin(1), null],
            [Principal::customer(6), 44], [Principal::customer(4), 46]] as [$who, $service]) {
            $before[$who->toJson() . $service] = $seen($who, $service);
        }
        $ids = [];
        foreach ([42, 43, 44, 45, 46] as $service) {
            $ids[$service] = $this->logDj($service);
        }
        $since = fn (Principal $who, ?int $service = null): array => array_column(
            self::news(self::page($this->get($who, $service, ['after' => $cursor])), $cursor, $before[$who->toJson() . $service]), 'serviceId');
        self::assertEqualsCanonicalizing([42, 46], $since(Principal::customer(4)));
        self::assertEqualsCanonicalizing([42, 43, 45, 46], $since(Principal::reseller(2)));
        self::assertEqualsCanonicalizing([44], $since(Principal::reseller(3)));
        self::assertEqualsCanonicalizing([42, 43, 44, 45, 46], $since(Principal::admin(1)));
        // The per-service page, also of a suspended (44) and of a removed (46) service.
        self::assertSame([44], $since(Principal::customer(6), 44));
        self::assertSame([46], $since(Principal::customer(4), 46));
        self::assertSame(403, $this->get(Principal::customer(4), 43, ['after' => $cursor])->status, 'another customer\'s service');
        self::assertSame(404, $this->get(Principal::admin(1), 999, ['after' => $cursor])->status);
    }

    public function testAStaleTagGetsTheNewsAndTheCurrentOneA304WithoutABody(): void
    {
        $customer = Principal::customer(4);
        $page = self::page($this->get($customer, 42));
        $tag = $page['cursor'];
        $seen = $this->seen($customer, 42);
        $query = ['after' => $tag];

        $r = $this->get($customer, 42, $query, "\"$tag\"");
        self::assertSame(304, $r->status);
        self::assertSame('', $r->bodyString());
        self::assertSame(['ETag' => "\"$tag\"", 'Cache-Control' => 'no-store', 'X-Content-Type-Options' => 'nosniff'], $r->headers);
        self::assertSame(304, $this->get($customer, 42, $query, "W/\"$tag\"")->status, 'weak comparison');
        self::assertSame(304, $this->get($customer, 42, $query, "\"s0.1\", \"$tag\"")->status, 'one tag of a list');
        self::assertSame(304, $this->get($customer, 42, $query, "\"$tag\"", true)->status, 'HEAD too');
        self::assertSame(200, $this->get($customer, 42, $query, $tag)->status, 'an unquoted tag is no tag');
        self::assertSame(200, $this->get($customer, 42, $query, '*')->status);

        $this->logDj(43); // nothing for customer 4, but the store moved on
        $r = $this->get($customer, 42, $query, "\"$tag\"");
        $empty = self::page($r);
        self::assertSame([], self::news($empty, $tag, $seen));
        self::assertNotSame($tag, $empty['cursor']);
        self::assertSame(304, $this->get($customer, 42, ['after' => $empty['cursor']], $r->headers['ETag'])->status);
    }

    public function testA304ComesFromTheCursorAloneBeforeAnyQuery(): void
    {
        $tag = EntityTag::of($this->log->cursor());
        // It says nothing about the view: a service outside the scope gets the same 304
        // (every page carries the store's cursor anyway), and the 403 once anything is logged.
        self::assertSame(304, $this->get(Principal::customer(4), 43, [], $tag)->status);
        $this->logDj(42);
        self::assertSame(403, $this->get(Principal::customer(4), 43, [], $tag)->status);
        // Parameters are still this API's: an unknown one is a 400 before the store is asked.
        self::assertSame(400, $this->get(Principal::customer(4), 42, ['after_id' => '1'], EntityTag::of($this->log->cursor()))->status);
    }

    /** @return iterable<string, array{array<string,mixed>, string, string}> */
    public static function badAfter(): iterable
    {
        yield 'not a cursor' => [['after' => 'yesterday'], 'after', 'after must be the cursor of an earlier page'];
        yield 'a number' => [['after' => '14'], 'after', 'after must be the cursor of an earlier page'];
        yield 'twice' => [['after' => ['a', 'b']], 'after', 'after must be given once, as a single value.'];
        yield 'a later page' => [['page' => '2'], 'page', 'page must be 1 with after (the events since a cursor are one page)'];
    }

    /** @dataProvider badAfter */
    public function testABadAfterIs400NamingIt(array $query, string $parameter, string $message): void
    {
        $query += ['after' => $this->log->cursor()];
        $r = $this->get(Principal::admin(1), null, $query);
        self::assertSame(400, $r->status);
        self::assertSame(['code' => 'invalid_parameter', 'message' => $message, 'parameter' => $parameter],
            json_decode($r->bodyString(), true)['error']);
        self::assertArrayNotHasKey('ETag', $r->headers);
    }

    public function testADownloadHasNoValidator(): void
    {
        $tag = EntityTag::of($this->log->cursor());
        $r = $this->get(Principal::admin(1), null, ['format' => 'csv'], $tag);
        self::assertSame(200, $r->status, 'a download is not answered 304');
        self::assertArrayNotHasKey('ETag', $r->headers);
        self::assertStringStartsWith('id,', $r->bodyString());
    }

    public function testTheFrontDoorPassesIfNoneMatchOn(): void
    {
        $api = new EventLogController(fn (): EventLog => $this->log, Fixture::signedIn(Principal::customer(4)));
        $tag = $api->handle('GET', '/controller/EventLog/42', [])->headers['ETag'];
        self::assertSame(304, $api->handle('GET', '/controller/EventLog/42', [], $tag)->status);
        self::assertSame(304, $api->handle('HEAD', '/controller/EventLog', [], $tag)->status);
        self::assertSame(200, $api->handle('GET', '/controller/EventLog/42', [])->status);
    }

    public function testACursorThatCannotBeAnEntityTagIsSentWithout(): void
    {
        self::assertNull(EntityTag::of('with "quotes"'));
        self::assertNull(EntityTag::of(''));
        self::assertFalse(EntityTag::matches('"with "quotes""', 'with "quotes"'));
        self::assertSame('s1.7', EntityTag::cursorOf('{"logs":[{"message":"\\"cursor\\":\\"x\\"}"}],"total":1,"cursor":"s1.7"}'));
        self::assertSame('a\\b', EntityTag::cursorOf('{"cursor":"a\\\\b","logs":[]}'), 'any other JSON is decoded');
    }
}
