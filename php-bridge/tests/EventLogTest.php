<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Exception\StorageError;
use StreamEvents\Principal;

/** Every wrapper method against the real library and a real store (a file, or a MariaDB database). */
final class EventLogTest extends TestCase
{
    public function testOpenCreatesTheStoreOnceAndReportsTheLibraryVersion(): void
    {
        $store = Fixture::newStore();
        $log = EventLog::open($store, [], Fixture::library());
        if (Fixture::onMariaDb()) {
            self::assertSame([[Fixture::databaseOf($store)]], Fixture::sql('SHOW DATABASES LIKE ' . "'" . Fixture::databaseOf($store) . "'"));
        } else {
            self::assertFileExists($store);
            // One handle per library, store and options, whatever the spelling of the path.
            $dir = dirname($store);
            self::assertSame($log, EventLog::open("$dir/./events.sqlite"));
            self::assertSame($log, EventLog::open("$dir/../" . basename($dir) . '/events.sqlite', []));
        }
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', $log->libraryVersion());
        self::assertSame($log, EventLog::open($store));
        self::assertNotSame($log, Fixture::openStore());
        $patient = EventLog::open($store, ['busyTimeoutMs' => 9000, 'synchronous' => 'full']);
        self::assertNotSame($log, $patient, 'other options, another handle');
        self::assertSame($patient, EventLog::open($store, ['synchronous' => 'full', 'busyTimeoutMs' => 9000]));
    }

    public function testTheRegistryLivesInPhpStateOnly(): void
    {
        // Finding 11 of RELIABILITY.md (the handle's address was parked in the process
        // environment: shared by threads under ZTS, inherited by child processes).
        $before = getenv();
        $log = EventLog::open(Fixture::newStore());
        self::assertSame($before, getenv(), 'open() leaves the process environment alone');
        $log->close();
        self::assertSame($before, getenv());
    }

    public function testTheWidestActorIdsReadBackExactly(): void
    {
        // Reading -9223372036854775808 back from MariaDB negated it, a trap in the library (found in review, 5 Dec).
        $log = Fixture::openStore();
        $ids = [PHP_INT_MIN, PHP_INT_MAX, -1, 0];
        foreach ($ids as $id) {
            $log->log(['type' => 'service.restart', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => $id, 'name' => "user $id"]]);
        }
        $page = $log->query(Principal::admin(1), ['serviceId' => 42]);
        self::assertSame(array_reverse($ids), array_map(static fn (array $e): int => $e['actor']['id'], $page['logs']));
        $exported = array_map(static fn (string $line): int => json_decode($line, true, 512, JSON_THROW_ON_ERROR)['actor']['id'],
            array_filter(explode("\n", implode('', iterator_to_array($log->export(Principal::admin(1), ['serviceId' => 42], 'jsonl'), false)))));
        self::assertSame(array_reverse($ids), array_values($exported));
    }

    public function testAStoreThatCannotBeOpenedLeavesNoDescriptorOpen(): void
    {
        // The library read the file's header through a descriptor it opened first and never closed when SQLite then
        // refused the file (found in review, 5 Dec): here SQLite's 512-byte limit on a path, on a file that exists.
        Fixture::sqliteOnly('about a store file');
        $dir = Fixture::tempDir() . '/' . str_repeat('d', 200) . '/' . str_repeat('e', 200) . '/' . str_repeat('f', 200);
        mkdir($dir, 0700, true);
        touch("$dir/events.sqlite");
        $descriptors = static fn (): int => count(scandir('/proc/self/fd'));
        $before = $descriptors();
        for ($i = 0; $i < 20; $i++) {
            try {
                EventLog::open("$dir/events.sqlite", [], Fixture::library());
                self::fail('SQLite opened a path longer than it allows');
            } catch (StorageError $e) {
                self::assertStringContainsString('cannot open the store', $e->libraryMessage());
            }
        }
        self::assertSame($before, $descriptors());
    }

    public function testLogReturnsIncreasingIdsAndTheEventReadsBack(): void
    {
        $log = Fixture::openStore();
        $first = $log->log(['type' => 'dj.connect', 'serviceId' => 42, 'djName' => 'Alice', 'sourceIp' => '203.0.113.7',
            'takeover' => true, 'time' => '2026-11-27T10:00:00Z']);
        $second = $log->log(['type' => 'service.restart', 'serviceId' => 42, 'actor' => ['type' => 'api', 'id' => 9, 'name' => 'billing'],
            'details' => []]);
        self::assertGreaterThan(0, $first);
        self::assertGreaterThan($first, $second);

        $page = $log->query(Principal::admin(1), ['serviceId' => 42]);
        self::assertSame(2, $page['total']);
        [$newest, $oldest] = $page['logs'];
        self::assertSame($second, $newest['id']);
        self::assertSame('service.restart', $newest['type']);
        self::assertSame(['type' => 'api', 'id' => 9, 'name' => 'billing'], $newest['actor']);
        self::assertSame($first, $oldest['id']);
        self::assertSame('dj.connect', $oldest['type']);
        self::assertSame('dj', $oldest['category']);
        self::assertSame('DJ Connect', $oldest['typeLabel']);
        self::assertSame('Alice', $oldest['djName']);
        self::assertSame('203.0.113.7', $oldest['sourceIp']);
        self::assertTrue($oldest['takeover']);
        self::assertSame(1_795_773_600_000, $oldest['timestamp']);
        self::assertSame('2026-11-27T10:00:00', substr($oldest['time'], 0, 19));
        self::assertStringContainsString('Alice', $oldest['message']);
    }

    public function testARepeatedDeliveryKeyAnswersTheFirstIdAndStoresNothing(): void
    {
        $log = Fixture::openStore();
        $hook = ['type' => 'dj.connect', 'serviceId' => 42, 'djName' => 'Alice', 'deliveryKey' => 'icecast/42/1'];
        $first = $log->log($hook);
        self::assertSame($first, $log->log($hook), 'the hook sent again gets the first id');
        self::assertSame($first, $log->log(['djName' => 'changed on the way'] + $hook), 'the key alone decides');
        // Within one process ids go up by one on both engines: a repeated
        // delivery must not use one up.
        self::assertSame($first + 1, $log->log(['type' => 'dj.disconnect', 'serviceId' => 42, 'djName' => 'Alice']));
        self::assertSame(2, $log->query(Principal::admin(1), ['serviceId' => 42])['total']);
    }

    public function testTheHostsOwnSqliteWorksBesideTheLibrary(): void
    {
        Fixture::sqliteOnly('a process-wide setting of libsqlite3');
        // The library turns SQLite's memory statistics off before SQLite
        // initializes (they cost a global mutex per allocation); a host that
        // opened a database first keeps them. Either way PDO SQLite works.
        $code = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . ' $sqlite = FFI::cdef("long long sqlite3_memory_used(void);", "libsqlite3.so.0");'
            . ' if ($argv[3] === "host-first") { $early = new PDO("sqlite::memory:"); }'
            . ' $log = StreamEvents\EventLog::open($argv[1], [], $argv[2]);'
            . ' $log->log(["type" => "autodj.on_air", "serviceId" => 42, "details" => ["trigger" => "startup"]]);'
            . ' $pdo = new PDO("sqlite:" . $argv[1]);'
            . ' echo $pdo->query("SELECT count(*) FROM event")->fetchColumn(), " ", $sqlite->sqlite3_memory_used() > 0 ? "counted" : "not counted";';
        foreach (['library-first' => '1 not counted', 'host-first' => '1 counted'] as $order => $expected) {
            $out = [];
            exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, '-d', 'ffi.enable=1', '-r', $code, Fixture::tempDir() . '/events.sqlite',
                Fixture::library(), $order])) . ' 2>&1', $out, $status);
            self::assertSame([0, $expected], [$status, implode("\n", $out)], $order);
        }
    }

    public function testLogBatchStoresAllAndCountsThem(): void
    {
        $log = Fixture::openStore();
        self::assertSame(count(Fixture::events()), $log->logBatch(Fixture::events()));
        self::assertSame(count(Fixture::events()), $log->query(Principal::admin(1))['total']);
        // Keys are irrelevant: a list is sent.
        self::assertSame(1, $log->logBatch(['x' => ['type' => 'autodj.on_air', 'serviceId' => 7, 'details' => ['trigger' => 'startup']]]));
    }

    public function testABatchLargerThanOneRequestIsStoredWholeFieldForField(): void
    {
        // Over 4 MiB of text: the MariaDB engine sends it as several arrays of
        // parameter rows in one transaction. Values are never escaped there, so
        // quotes, backslashes, LIKE wildcards, NUL-free UTF-8 and empty strings
        // must come back as they went in; absent fields as null, not as '' (no
        // details: an empty object).
        $log = Fixture::openStore();
        $log->putDirectory(Fixture::directory()['accounts'], Fixture::directory()['services']);
        $events = Fixture::events(); // actors with and without ids, takeover true/false/absent, IPs, details
        $oldest = $events[0]['time'];
        for ($i = 0; $i < 110; $i++) {
            $field = str_repeat("Grüße \"quoted\" 'single' back\\slash 100% _x_ ", 80) . $i; // ~3.6 KB each
            $events[] = ['type' => $i % 2 === 0 ? 'dj.connect' : 'service.title_update', 'serviceId' => 42 + $i % 5,
                'time' => $oldest - ($i + 1) * 1000, 'details' => array_fill_keys(array_map(static fn ($k) => "k$k", range(1, 12)), $field) + ['empty' => '', 'title' => "Song $i"]]
                + ($i % 2 === 0 ? ['djName' => "DJ Ünïcode $i", 'sourceIp' => '2001:db8::' . dechex($i), 'takeover' => $i % 4 === 0]
                    : ['actor' => ['type' => 'user', 'id' => $i === 1 ? null : 4, 'name' => $i === 1 ? '' : "Carl's \\ 'panel'"]])
                + ($i === 55 ? ['deliveryKey' => 'batch/55'] : []);
        }
        self::assertGreaterThan(4 << 20, strlen(json_encode($events, JSON_UNESCAPED_UNICODE)));
        self::assertSame(count($events), $log->logBatch($events));

        $stored = [];
        for ($page = 1; ($p = $log->query(Principal::admin(1), ['perPage' => 100, 'page' => $page]))['logs'] !== []; $page++) {
            foreach ($p['logs'] as $l) {
                $stored[$l['timestamp']] = $l;
            }
        }
        self::assertSame(count($events), $p['total']);
        self::assertCount(count($events), $stored, 'every event once');
        foreach ($events as $e) {
            $s = $stored[$e['time']] ?? null;
            self::assertNotNull($s, "the event of {$e['time']}");
            $details = $e['details'] ?? [];
            ksort($details); // the library writes keys in order
            $sent = [$e['type'], $e['serviceId'], $e['djName'] ?? null, $e['sourceIp'] ?? null, $e['takeover'] ?? null, $details];
            self::assertSame($sent, [$s['type'], $s['serviceId'], $s['djName'], $s['sourceIp'], $s['takeover'], $s['details']]);
            if (isset($e['actor'])) {
                self::assertSame([$e['actor']['type'], $e['actor']['id'], $e['actor']['name']], [$s['actor']['type'], $s['actor']['id'], $s['actor']['name']]);
            }
        }
    }

    public function testPutDirectoryDecidesScopeAndNames(): void
    {
        $log = Fixture::seededStore();
        $page = $log->query(Principal::customer(4), ['perPage' => 100]);
        self::assertSame(Fixture::EVENTS_PER_SERVICE[42] + Fixture::EVENTS_PER_SERVICE[46], $page['total']);
        self::assertEqualsCanonicalizing([42, 46], array_values(array_unique(array_column($page['logs'], 'serviceId'))));
        $carl = array_values(array_filter($page['logs'], static fn ($l) => $l['serviceId'] === 42))[0];
        self::assertSame('Carl FM', $carl['serviceName']);
        self::assertSame(4, $carl['ownerId']);
        self::assertSame('Carl Customer', $carl['ownerName']);

        // Moving service 42 to customer 5 moves its log with it.
        $log->putDirectory([], [['id' => 42, 'name' => 'Carl FM', 'ownerId' => 5, 'kind' => 'icecast', 'status' => 'active', 'removed' => false]]);
        self::assertSame(Fixture::EVENTS_PER_SERVICE[46], $log->query(Principal::customer(4))['total']);
        self::assertSame(Fixture::EVENTS_PER_SERVICE[42] + Fixture::EVENTS_PER_SERVICE[43], $log->query(Principal::customer(5))['total']);
    }

    public function testQueryFiltersAndPages(): void
    {
        $log = Fixture::seededStore();
        $admin = Principal::admin(1);
        $all = $log->query($admin, ['perPage' => 5, 'page' => 2]);
        $total = array_sum(Fixture::EVENTS_PER_SERVICE);
        self::assertSame(['logs', 'total', 'page', 'perPage', 'totalPages', 'cursor'], array_keys($all));
        self::assertSame([$total, 2, 5, (int) ceil($total / 5)], [$all['total'], $all['page'], $all['perPage'], $all['totalPages']]);
        self::assertCount(5, $all['logs']);
        $ids = array_column($all['logs'], 'id');
        $newestFirst = $ids;
        rsort($newestFirst);
        self::assertSame($newestFirst, $ids, 'newest first');

        self::assertSame(4, $log->query($admin, ['category' => 'dj'])['total']);
        self::assertSame(2, $log->query($admin, ['types' => ['mount.connect']])['total']);
        self::assertSame(2, $log->query($admin, ['actor' => 'system', 'serviceId' => 44])['total']);
        self::assertSame(3, $log->query($admin, ['q' => 'Alice'])['total']);
        self::assertSame(1, $log->query($admin, ['q' => '198.51.100.2'])['total']);
        $events = Fixture::events();
        $window = $log->query($admin, ['from' => $events[3]['time'], 'to' => $events[5]['time']]);
        self::assertSame(['service.stop', 'service.suspend'], array_column($window['logs'], 'type'), 'from inclusive, to exclusive');
    }

    public function testTotalsAndDeepPagesOfAnyRangeMatchTheExport(): void
    {
        // Ranges that start and end early and late in their day and hour (on
        // MariaDB an end over half its period is counted as the whole period
        // less the rest), pages past 1,000 events (MariaDB seeks them from
        // the counters), events counted and not yet counted, one ahead of now.
        $log = Fixture::seededStore();
        $hour = 3_600_000;
        $day = 24 * $hour;
        $now = (int) (microtime(true) * 1000);
        $today = intdiv($now, $day) * $day;
        $types = [['dj.connect', ['djName' => 'D']], ['service.restart', ['details' => ['reason' => 'test']]], ['mount.connect', ['details' => ['mount' => '/live']]]];
        $event = static function (int $i, int $time) use ($types): array {
            [$type, $fields] = $types[$i % 3];
            $actor = $i % 4 === 0 ? ['type' => 'system'] : ['type' => 'user', 'id' => 4, 'name' => 'c'];
            return ['type' => $type, 'serviceId' => [42, 43, 44, 45, 47][$i % 5], 'actor' => $actor, 'time' => $time] + $fields;
        };
        $batch = [];
        for ($i = 0; $i < 2600; $i++) {  // over ten days, denser in some hours; folded on MariaDB
            $batch[] = $event($i, $now - 10 * $day + intdiv($i * $i, 700) * 60_000 % (10 * $day));
        }
        self::assertSame(2600, $log->logBatch($batch));
        $tail = [];
        for ($i = 0; $i < 300; $i++) {  // fewer than a fold takes: left uncounted
            $tail[] = $event($i * 7, $now - 9 * $day + $i * 2_591_000);
        }
        $tail[] = $event(1, $now + 2 * $hour);
        self::assertSame(301, $log->logBatch($tail));

        $ranges = [
            'the default' => [],
            'head over half a day, tail over half a day' => ['from' => $today - 9 * $day + 5 * $hour, 'to' => $today - $day + 15 * $hour],
            'head under half a day, tail under half a day' => ['from' => $today - 8 * $day + 20 * $hour, 'to' => $today - 2 * $day + 3 * $hour + 1_800_000],
            'ends within hours, over and under half' => ['from' => $today - 5 * $day + 13 * $hour + 600_000, 'to' => $today - 3 * $day + 7 * $hour + 2_400_000],
            'the same, the other way' => ['from' => $today - 6 * $day + 2 * $hour + 3_000_000, 'to' => $today - 4 * $day + 22 * $hour + 300_000],
            'from only, late in an hour' => ['from' => $today - 7 * $day + 11 * $hour + 3_500_000],
            'within one day' => ['from' => $today - 3 * $day + $hour + 1, 'to' => $today - 3 * $day + 23 * $hour - 1],
        ];
        $views = [
            'admin' => [Principal::admin(1), []],
            'admin, DJ events' => [Principal::admin(1), ['category' => 'dj']],
            'admin, system' => [Principal::admin(1), ['actor' => 'system']],
            'reseller 2' => [Principal::reseller(2), []],
            // On MariaDB the next two read the per-category counters, the two after them the per-type ones.
            'reseller 2, DJ events' => [Principal::reseller(2), ['category' => 'dj']],
            'reseller 2, DJ and mount types' => [Principal::reseller(2),
                ['types' => ['dj.connect', 'dj.disconnect', 'dj.on_air', 'dj.kicked', 'mount.connect', 'mount.disconnect']]],
            'reseller 2, one type' => [Principal::reseller(2), ['types' => ['dj.connect']]],
            'customer 4, system' => [Principal::customer(4), ['actor' => 'system']],
            'customer 4, one service' => [Principal::customer(4), ['serviceId' => 42]],
        ];
        foreach ($views as $viewName => [$who, $filter]) {
            foreach ($ranges as $rangeName => $range) {
                $what = "$viewName, $rangeName";
                $ids = array_column(self::exportedRows($log, $who, $filter + $range), 'id');
                $first = $log->query($who, $filter + $range + ['perPage' => 100]);
                self::assertSame(count($ids), $first['total'], "$what: the total");
                self::assertSame(array_slice($ids, 0, 100), array_column($first['logs'], 'id'), "$what: page 1");
                // Every deep page of 100, and of 7 (an hour holds a few dozen events: a
                // page in the older half of its hour is read from the hour's start).
                foreach ([[100, 1], [7, 11]] as [$perPage, $every]) {
                    for ($page = intdiv(1000, $perPage) + 1; $page <= intdiv(count($ids), $perPage) + 1; $page += $every) {
                        $logs = $log->query($who, $filter + $range + ['perPage' => $perPage, 'page' => $page])['logs'];
                        self::assertSame(array_slice($ids, ($page - 1) * $perPage, $perPage), array_column($logs, 'id'), "$what: page $page of $perPage");
                    }
                }
            }
        }
        self::assertGreaterThan(1100, $log->query(Principal::admin(1), $ranges['head over half a day, tail over half a day'])['total'], 'pages past 1,000 events');
    }

    public function testAScopeOfNoServiceOrOfManyServicesMatchesTheExport(): void
    {
        // On MariaDB a page lists the scope's services (up to 1,000) in its
        // SQL and asks the directory for them beyond that: the same events
        // either way, and none for a customer without a service.
        $log = Fixture::seededStore();
        $log->putDirectory([['id' => 8, 'role' => 'customer', 'name' => 'Nora New', 'resellerId' => 3]], []);
        $none = $log->query(Principal::customer(8));
        self::assertSame([0, []], [$none['total'], $none['logs']]);
        self::assertSame([], self::exportedRows($log, Principal::customer(8), []));

        $service = static fn (int $id) => ['id' => $id, 'name' => "Filler $id", 'ownerId' => 8, 'kind' => 'icecast', 'status' => 'active', 'removed' => false];
        $event = static fn (int $id) => ['type' => 'autodj.on_air', 'serviceId' => $id, 'details' => ['trigger' => 'startup']];
        // Reseller 3 has service 44 (customer 6); with 999 more it has 1,000, then 1,001.
        $log->putDirectory([], array_map($service, range(1_000, 1_998)));
        $log->logBatch([$event(1_000), $event(1_998), $event(1_998)]);
        foreach ([1_000 => 3, 1_001 => 4] as $services => $fillerEvents) {
            $total = Fixture::EVENTS_PER_SERVICE[44] + $fillerEvents;
            foreach ([[Principal::reseller(3), []], [Principal::reseller(3), ['category' => 'autodj']], [Principal::customer(8), []]] as [$who, $filter]) {
                $what = "$services services, " . json_encode($filter);
                $ids = array_column(self::exportedRows($log, $who, $filter), 'id');
                $page = $log->query($who, $filter + ['perPage' => 500]);
                self::assertSame($ids, array_column($page['logs'], 'id'), "$what: the page holds the export's events");
                self::assertSame(count($ids), $page['total'], "$what: the total");
            }
            self::assertSame($total, $log->query(Principal::reseller(3))['total'], "$services services");
            $log->putDirectory([], [$service(1_999)]);
            $log->log($event(1_999));
        }
        self::assertSame(Fixture::EVENTS_PER_SERVICE[42] + Fixture::EVENTS_PER_SERVICE[46], $log->query(Principal::customer(4))['total'], 'others\' scopes unchanged');
    }

    /**
     * A new MariaDB store with the fixture's directory (the test is skipped on SQLite, $why).
     *
     * @return array{0: string, 1: string, 2: EventLog} the store URI, its database, an open handle
     */
    private static function newMariaDbStore(string $why): array
    {
        Fixture::mariaDbOnly($why);
        $store = Fixture::newStore();
        $log = EventLog::open($store, [], Fixture::library());
        $dir = Fixture::directory();
        $log->putDirectory($dir['accounts'], $dir['services']);
        return [$store, Fixture::databaseOf($store), $log];
    }

    public function testAStoreOfAnEarlierRevisionGetsItsAdditionsAndOneOfALaterRevisionIsUsedAsItIs(): void
    {
        [$store, $database, $log] = self::newMariaDbStore('schema revisions are those of the MariaDB store');
        $log->logBatch(Fixture::events());
        $log->close();
        $key = static fn (): array => Fixture::sql("SELECT column_name FROM information_schema.statistics WHERE table_schema = '$database'
            AND table_name = 'count_service_type_day' AND index_name = 'count_service_day_type' ORDER BY seq_in_index");
        $revision = static fn (): array => Fixture::sql("SELECT v FROM setting WHERE k = 'schemaRevision'", $database);
        $foldLock = static fn (): array => Fixture::sql("SELECT v FROM setting WHERE k = 'foldLock'", $database);
        self::assertSame([['service_id'], ['type'], ['ts'], ['n']], $key(), 'a new store has the key');
        self::assertSame([['0']], $foldLock(), 'and the fold lock\'s row');
        self::assertSame([['2']], $revision());

        // As a library of the first revision left it.
        Fixture::sql("ALTER TABLE count_service_type_day DROP KEY count_service_day_type;
            DELETE FROM setting WHERE k IN ('schemaRevision', 'foldLock')", $database);
        $log = EventLog::open($store, [], Fixture::library());
        self::assertSame([['service_id'], ['type'], ['ts'], ['n']], $key(), 'added when the store is opened');
        self::assertSame([['0']], $foldLock());
        self::assertSame([['2']], $revision());
        $reseller = Fixture::EVENTS_PER_SERVICE[42] + Fixture::EVENTS_PER_SERVICE[43] + Fixture::EVENTS_PER_SERVICE[45] + Fixture::EVENTS_PER_SERVICE[46];
        self::assertSame($reseller, $log->query(Principal::reseller(2))['total']);
        $log->close();

        // A later library's revision: this one uses the store as it is.
        Fixture::sql("UPDATE setting SET v = 99 WHERE k = 'schemaRevision'", $database);
        $log = EventLog::open($store, [], Fixture::library());
        $log->log(['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup']]);
        self::assertSame($reseller + 1, $log->query(Principal::reseller(2))['total']);
        self::assertSame(2, $log->storeInfo()['schemaVersion']);
        self::assertSame([['99']], $revision(), 'left as it is');
        $log->close();
    }

    public function testAVersionOneStoreGetsPerCategoryCountersAndViewsOfWholeCategoriesReadThem(): void
    {
        [$store, $database, $log] = self::newMariaDbStore('the per-category counters are the MariaDB store\'s');
        $day = 86_400_000;
        $now = (int) (microtime(true) * 1000);
        $types = [['dj.connect', ['djName' => 'D']], ['service.restart', ['details' => ['reason' => 'test']]], ['mount.connect', ['details' => ['mount' => '/live']]]];
        $batch = [];
        for ($i = 0; $i < 1200; $i++) {  // over five days; a batch this size is folded
            [$type, $fields] = $types[$i % 3];
            $actor = $i % 4 === 0 ? ['type' => 'system'] : ['type' => 'user', 'id' => 4, 'name' => 'c'];
            $batch[] = ['type' => $type, 'serviceId' => [42, 43, 45, 46][$i % 4], 'actor' => $actor, 'time' => $now - 5 * $day + $i * 359_000] + $fields;
        }
        self::assertSame(1200, $log->logBatch($batch));
        $log->close();  // waits for the fold the batch asked for
        self::assertSame([['1200']], Fixture::sql('SELECT COUNT(*) FROM event WHERE counted = 1', $database));
        // Per-category rows that are not the per-type rows of their category summed.
        $wrong = static fn (): array => Fixture::sql("SELECT COUNT(*) FROM (
                SELECT t.service_id, y.category, t.ts, SUM(t.n) AS n FROM count_service_type_day t JOIN event_type y ON y.code = t.type GROUP BY 1, 2, 3
            ) AS summed LEFT JOIN count_service_category_day c USING (service_id, category, ts) WHERE c.n IS NULL OR c.n <> summed.n", $database);
        $counted = static fn (): array => Fixture::sql('SELECT SUM(n) FROM count_service_category_day', $database);
        self::assertSame([['0']], $wrong());
        self::assertSame([['1200']], $counted());

        // As a library of schema version 1 left it: counters per type only, in count_service_day.
        Fixture::sql("DROP TABLE count_service_category_day; RENAME TABLE count_service_type_day TO count_service_day;
            UPDATE setting SET v = 1 WHERE k = 'schemaVersion'", $database);
        $log = EventLog::open($store, [], Fixture::library());
        self::assertSame(2, $log->storeInfo()['schemaVersion']);
        self::assertSame([['0']], Fixture::sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$database'
            AND table_name = 'count_service_day'"), 'renamed, so that a library of version 1 can no longer fold into it');
        self::assertSame([['0']], $wrong(), 'filled from the per-type counters');
        self::assertSame([['1200']], $counted());
        $views = [
            'reseller 2' => [Principal::reseller(2), []],
            'reseller 2, DJ events' => [Principal::reseller(2), ['category' => 'dj']],
            'customer 4, mount events' => [Principal::customer(4), ['category' => 'mount']],
            'reseller 2, one type' => [Principal::reseller(2), ['types' => ['dj.connect']]],
            'reseller 2, DJ events of the system' => [Principal::reseller(2), ['category' => 'dj', 'actor' => 'system']],
        ];
        $totals = [];
        foreach ($views as $name => [$who, $filter]) {
            $totals[$name] = $log->query($who, $filter)['total'];
            self::assertSame(count(self::exportedRows($log, $who, $filter)), $totals[$name], "$name: the total");
        }

        // Which counters a view reads, shown by a row changed by hand: whole categories (or every
        // type) and no actor read the per-category rows, the others the per-type rows.
        $dayBefore = intdiv($now, $day) * $day - 2 * $day;
        Fixture::sql("UPDATE count_service_category_day SET n = n + 1000 WHERE service_id = 42 AND category = 'dj' AND ts = $dayBefore", $database);
        foreach (['reseller 2' => 1000, 'reseller 2, DJ events' => 1000, 'customer 4, mount events' => 0, 'reseller 2, one type' => 0,
                  'reseller 2, DJ events of the system' => 0] as $name => $added) {
            [$who, $filter] = $views[$name];
            self::assertSame($totals[$name] + $added, $log->query($who, $filter)['total'], "$name: from the per-category counters: " . ($added ? 'yes' : 'no'));
        }
        $log->close();
    }

    public function testExportYieldsCsvAndJsonLinesChunks(): void
    {
        $log = Fixture::seededStore();
        $csv = '';
        foreach ($log->export(Principal::customer(5), [], 'csv') as $chunk) {
            self::assertIsString($chunk);
            self::assertNotSame('', $chunk);
            $csv .= $chunk;
        }
        $lines = explode("\r\n", rtrim($csv, "\r\n"));
        self::assertCount(1 + Fixture::EVENTS_PER_SERVICE[43], $lines, 'header row plus one row per event, CRLF');
        self::assertStringContainsString('Bob', $csv);
        self::assertStringNotContainsString('Alice', $csv, 'customer 5 must not export customer 4\'s events');

        $rows = self::exportedRows($log, Principal::admin(1), ['serviceId' => 42]);
        self::assertCount(Fixture::EVENTS_PER_SERVICE[42], $rows);
        self::assertSame([42], array_values(array_unique(array_column($rows, 'serviceId'))));
    }

    public static function directorySizes(): array
    {
        // MariaDB reads a directory of up to 20,000 services once per export
        // and joins a longer one row by row: both must name rows alike.
        return ['a panel of a few services' => [0], 'over 20,000 services' => [20_001]];
    }

    /** @dataProvider directorySizes */
    public function testAnExportNamesServicesAsThePagesDo(int $moreServices): void
    {
        $log = Fixture::seededStore();
        $service = static fn (int $id, string $name, int $owner) => ['id' => $id, 'name' => $name, 'ownerId' => $owner, 'kind' => 'icecast', 'status' => 'active', 'removed' => false];
        // Changed since the events were logged: a name and an owner; an owner the directory does not have.
        $services = [$service(43, 'Cora "Renamed" FM \\ 2', 4), $service(44, 'Orphan FM', 999)];
        for ($i = 0; $i < $moreServices; $i++) {
            $services[] = $service(100_000 + $i, "Filler $i", 5);
        }
        $log->putDirectory([], $services);
        // A service the directory does not know at all.
        $log->log(['type' => 'autodj.on_air', 'serviceId' => 777, 'details' => ['trigger' => 'startup']]);

        $rows = self::exportedRows($log, Principal::admin(1), []);
        self::assertSame($log->query(Principal::admin(1), ['perPage' => 500])['logs'], $rows, 'the export holds the page\'s rows, names and all');
        // An export reads only the names its scope and service filters can show.
        $views = [
            'reseller 2' => [Principal::reseller(2), []], 'customer 4' => [Principal::customer(4), []],
            'service 43' => [Principal::admin(1), ['serviceId' => 43]], 'customer 4 filtered' => [Principal::admin(1), ['ownerId' => 4]],
            'customer 4, service 43' => [Principal::customer(4), ['serviceId' => 43]],
        ];
        foreach ($views as $view => [$who, $filter]) {
            $viewRows = self::exportedRows($log, $who, $filter);
            self::assertContains(43, array_column($viewRows, 'serviceId'), $view);
            self::assertSame($log->query($who, $filter + ['perPage' => 500])['logs'], $viewRows, "$view: the export holds the page's rows, names and all");
        }

        $names = [];
        foreach ($rows as $r) {
            $names[$r['serviceId']] = [$r['serviceName'], $r['ownerId'], $r['ownerName']];
        }
        self::assertSame(['Cora "Renamed" FM \\ 2', 4, 'Carl Customer'], $names[43], 'renamed and moved: the directory\'s names now');
        self::assertSame(['Orphan FM', 999, 'Dora Customer'], $names[44], 'an owner the directory lacks: the owner\'s name as logged');
        self::assertSame([null, null, null], $names[777], 'a service the directory lacks: the names logged (none)');
    }

    public function testAnAbandonedExportIsClosedAndTheStoreStaysUsable(): void
    {
        $log = Fixture::seededStore();
        foreach ($log->export(Principal::admin(1), [], 'jsonl') as $chunk) {
            break; // the generator's finally closes the native cursor
        }
        $unstarted = $log->export(Principal::admin(1), [], 'csv');
        unset($unstarted); // never iterated: the destructor closes it
        self::assertSame(1, $log->logBatch([['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup']]]));
        $export = $log->export(Principal::admin(1), [], 'csv');
        iterator_to_array($export);
        $this->expectException(\LogicException::class);
        iterator_to_array($export);
    }

    public function testPruneDeletesEventsOlderThanTheRetentionWindow(): void
    {
        $log = Fixture::openStore(['retentionDays' => 7]);
        $day = 86_400_000;
        $now = intdiv((int) (microtime(true) * 1000), 1000) * 1000;
        $log->logBatch([
            ['type' => 'service.start', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => 4, 'name' => 'c'], 'time' => $now - 6 * $day - 3_600_000],
            ['type' => 'service.stop', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => 4, 'name' => 'c'], 'time' => $now - 6 * $day - 60_000],
            ['type' => 'service.start', 'serviceId' => 42, 'actor' => ['type' => 'user', 'id' => 4, 'name' => 'c'], 'time' => $now],
        ]);
        self::assertSame(0, $log->prune($now), 'nothing is older than 7 days yet');
        if (Fixture::onMariaDb()) {
            // Whole days go (a partition each): an event stays up to a day past the window.
            $first = $log->prune($now + $day);
            self::assertSame(2, $first + $log->prune($now + 2 * $day), 'gone at most a day after they left the window');
            self::assertSame(0, $log->prune($now + 2 * $day));
        } else {
            self::assertSame(2, $log->prune($now + $day), 'a day later two are');
            self::assertSame(0, $log->prune($now + $day));
        }
        self::assertSame(['service.start'], array_column($log->query(Principal::admin(1))['logs'], 'type'));
        self::assertSame(7, $log->storeInfo()['retentionDays'], 'the pages say how long events are kept');
        $log->setRetentionDays(9);
        self::assertSame([Fixture::engine(), 9, false], [$log->storeInfo()['engine'], $log->storeInfo()['retentionDays'], $log->storeInfo()['readOnly']]);
    }

    public function testCloseEndsTheHandleAndTheNextOpenStartsAFreshOne(): void
    {
        $store = Fixture::newStore();
        $log = EventLog::open($store, [], Fixture::library());
        $log->putDirectory(Fixture::directory()['accounts'], []);
        $log->log(['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup']]);
        $log->close();
        $log->close(); // idempotent
        try {
            $log->prune();
            self::fail('a closed store must refuse calls');
        } catch (StorageError $e) {
            self::assertSame(-7, $e->getCode());
        }
        $again = EventLog::open($store, [], Fixture::library());
        self::assertNotSame($log, $again);
        self::assertSame(1, $again->query(Principal::admin(1))['total'], 'the event was committed before close');
    }

    /** Every row of an export of $filter as $who, from its JSON Lines. */
    private static function exportedRows(EventLog $log, Principal $who, array $filter): array
    {
        $jsonl = '';
        foreach ($log->export($who, $filter, 'jsonl') as $chunk) {
            $jsonl .= $chunk;
        }
        $lines = $jsonl === '' ? [] : explode("\n", rtrim($jsonl, "\n"));
        return array_map(static fn ($l) => json_decode($l, true, 512, JSON_THROW_ON_ERROR), $lines);
    }
}
