<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\Actor;
use StreamEvents\AutoDjTrigger;
use StreamEvents\EventLog;
use StreamEvents\Events;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Exception\InvalidEvent;
use StreamEvents\Principal;
use StreamEvents\ServiceAction;
use StreamEvents\SourceAction;
use StreamEvents\StopReason;
use StreamEvents\SuspendReason;
use StreamEvents\Usage;

/**
 * The typed helpers against the real library: every catalog type can be
 * logged through one, with every field its catalog entry requires, and each
 * helper's event is accepted and reads back as it was meant.
 */
final class EventsTest extends TestCase
{
    private const SYSTEM = ['type' => 'system', 'id' => null, 'name' => null];

    private EventLog $log;
    private Events $events;

    protected function setUp(): void
    {
        $this->log = Fixture::openStore();
        $this->events = new Events($this->log);
    }

    /**
     * One call per helper and variant, and what the stored event reads back
     * as (the fields named; details in full).
     *
     * @return iterable<string, array{\Closure(Events): int, array<string,mixed>}>
     */
    public static function helperCalls(): iterable
    {
        $alice = Actor::user(7, 'alice');
        $billing = Actor::api(3, 'billing');
        foreach (ServiceAction::cases() as $action) {
            yield "$action->value by a user" => [
                static fn (Events $e) => $e->serviceAction($action, 42, $alice),
                ['type' => $action->value, 'actor' => $alice->toArray(), 'details' => []],
            ];
        }
        foreach ([ServiceAction::Start, ServiceAction::Restart, ServiceAction::Unsuspend, ServiceAction::Remove] as $action) {
            yield "$action->value by the system" => [
                static fn (Events $e) => $e->serviceAction($action, 42, Actor::system(), reason: 'crash recovery'),
                ['type' => $action->value, 'actor' => self::SYSTEM, 'details' => ['reason' => 'crash recovery']],
            ];
        }
        yield 'service.suspend by an API client, with a reason' => [
            static fn (Events $e) => $e->serviceAction(ServiceAction::Suspend, 42, $billing, reason: 'unpaid invoice'),
            ['type' => 'service.suspend', 'actor' => $billing->toArray(), 'details' => ['reason' => 'unpaid invoice'],
                'message' => 'API client billing suspended the service: unpaid invoice'],
        ];
        foreach (SuspendReason::cases() as $reason) {
            yield "service.suspend by the system for $reason->value" => [
                static fn (Events $e) => $e->systemSuspend(42, $reason),
                ['type' => 'service.suspend', 'actor' => self::SYSTEM, 'details' => ['reason' => $reason->value]],
            ];
        }
        yield 'service.suspend by the system, with bandwidth used against the limit' => [
            static fn (Events $e) => $e->systemSuspend(42, SuspendReason::Bandwidth, new Usage(used: 1210.5, limit: 1000, unit: 'GB')),
            ['type' => 'service.suspend', 'actor' => self::SYSTEM,
                'details' => ['limit' => 1000, 'reason' => 'bandwidth', 'unit' => 'GB', 'used' => 1210.5],
                'message' => 'System suspended the service: bandwidth limit exceeded (1210.5 of 1000 GB used)'],
        ];
        yield 'service.suspend by the system, with disk used against the quota' => [
            static fn (Events $e) => $e->systemSuspend(42, SuspendReason::Disk, new Usage(used: 5300, limit: 5120, unit: 'MB')),
            ['type' => 'service.suspend', 'details' => ['limit' => 5120, 'reason' => 'disk', 'unit' => 'MB', 'used' => 5300]],
        ];
        foreach (StopReason::cases() as $reason) {
            yield "service.stop by the system for $reason->value" => [
                static fn (Events $e) => $e->systemStop(42, $reason),
                ['type' => 'service.stop', 'actor' => self::SYSTEM, 'details' => ['reason' => $reason->value]],
            ];
        }
        yield 'service.config_update' => [
            static fn (Events $e) => $e->configUpdate(42, $alice, ['bitrate' => 'bitrate', 'mount']),
            ['type' => 'service.config_update', 'actor' => $alice->toArray(), 'details' => ['changes' => ['bitrate', 'mount']]],
        ];
        yield 'service.title_update' => [
            static fn (Events $e) => $e->titleUpdate(42, Actor::api(3, 'nowplaying'), 'Artist – Song'),
            ['type' => 'service.title_update', 'details' => ['title' => 'Artist – Song']],
        ];
        yield 'service.bitrate_warning' => [
            static fn (Events $e) => $e->bitrateWarning(42, 320, 128),
            ['type' => 'service.bitrate_warning', 'actor' => self::SYSTEM, 'details' => ['bitrate' => 320, 'limit' => 128]],
        ];
        foreach (SourceAction::cases() as $action) {
            yield "$action->value by a user" => [
                static fn (Events $e) => $e->sourceAction($action, 42, $alice),
                ['type' => $action->value, 'actor' => $alice->toArray(), 'details' => []],
            ];
            yield "$action->value by the system" => [
                static fn (Events $e) => $e->sourceAction($action, 42, Actor::system(), reason: 'encoder crash'),
                ['type' => $action->value, 'actor' => self::SYSTEM, 'details' => ['reason' => 'encoder crash']],
            ];
        }
        $dj = ['type' => 'dj', 'id' => null, 'name' => 'Alice'];
        yield 'dj.connect' => [
            static fn (Events $e) => $e->djConnect(42, 'Alice', '2001:db8::7'),
            ['type' => 'dj.connect', 'actor' => $dj, 'djName' => 'Alice', 'sourceIp' => '2001:db8::7', 'takeover' => false, 'details' => []],
        ];
        yield 'dj.on_air, taking over' => [
            static fn (Events $e) => $e->djOnAir(42, 'Alice', '2001:db8::7', takeover: true),
            ['type' => 'dj.on_air', 'actor' => $dj, 'takeover' => true],
        ];
        yield 'dj.disconnect, with a reason' => [
            static fn (Events $e) => $e->djDisconnect(42, 'Alice', reason: 'connection lost'),
            ['type' => 'dj.disconnect', 'djName' => 'Alice', 'sourceIp' => null, 'details' => ['reason' => 'connection lost'],
                'message' => 'DJ Alice disconnected: connection lost'],
        ];
        yield 'dj.kicked by a user, with a reason' => [
            static fn (Events $e) => $e->djKicked(42, 'Alice', null, by: Actor::user(4, 'Carl'), reason: 'wrong stream key'),
            ['type' => 'dj.kicked', 'actor' => Actor::user(4, 'Carl')->toArray(), 'djName' => 'Alice', 'details' => ['reason' => 'wrong stream key'],
                'message' => 'DJ Alice was kicked by Carl: wrong stream key'],
        ];
        yield 'dj.kicked, by whom unknown' => [
            static fn (Events $e) => $e->djKicked(42, 'Alice', '203.0.113.9'),
            ['type' => 'dj.kicked', 'actor' => $dj, 'sourceIp' => '203.0.113.9', 'details' => []],
        ];
        foreach (AutoDjTrigger::cases() as $trigger) {
            yield "autodj.on_air on $trigger->value" => [
                static fn (Events $e) => $e->autoDjOnAir(44, $trigger),
                ['type' => 'autodj.on_air', 'serviceId' => 44, 'actor' => self::SYSTEM, 'details' => ['trigger' => $trigger->value]],
            ];
        }
        yield 'mount.connect with server, port and source' => [
            static fn (Events $e) => $e->mountConnect(42, '/live', 'ice1.example.net', 8000, '203.0.113.9'),
            ['type' => 'mount.connect', 'actor' => self::SYSTEM, 'sourceIp' => '203.0.113.9',
                'details' => ['mount' => '/live', 'port' => 8000, 'server' => 'ice1.example.net']],
        ];
        yield 'mount.disconnect, with a reason' => [
            static fn (Events $e) => $e->mountDisconnect(42, '/live', reason: 'source timeout'),
            ['type' => 'mount.disconnect', 'sourceIp' => null, 'details' => ['mount' => '/live', 'reason' => 'source timeout']],
        ];
    }

    /** @dataProvider helperCalls */
    public function testTheHelpersEventIsAcceptedAndReadsBackAsMeant(\Closure $call, array $expected): void
    {
        $row = $this->stored($call($this->events));
        $expected += ['serviceId' => 42, 'category' => strstr($expected['type'], '.', true)];
        ksort($row['details']);
        $actual = array_intersect_key($row, $expected);
        ksort($expected);
        ksort($actual);
        self::assertSame($expected, $actual);
    }

    /**
     * Adding a type (or a required field) to the library's catalog fails here,
     * naming it, until Events has a helper for it and helperCalls() a call.
     */
    public function testEveryCatalogTypeHasAHelperThatSetsWhatTheCatalogRequires(): void
    {
        $logged = []; // type => ['fields' => field => true, 'actors' => actor type => true]
        foreach (self::helperCalls() as [$call]) {
            $row = $this->stored($call($this->events));
            $fields = array_keys(array_filter(['djName' => $row['djName'], 'sourceIp' => $row['sourceIp'], 'actor' => $row['actor']],
                static fn ($v) => $v !== null));
            foreach (array_keys($row['details']) as $key) {
                $fields[] = "details.$key";
            }
            $logged[$row['type']]['fields'] = array_fill_keys($fields, true) + ($logged[$row['type']]['fields'] ?? []);
            $logged[$row['type']]['actors'][$row['actor']['type']] = true;
        }
        $behind = [];
        foreach (EventLog::catalog()['types'] as $type) {
            $id = $type['id'];
            if (!isset($logged[$id])) {
                $behind[] = "$id: no helper in src/Events.php logs it (or no call in EventsTest::helperCalls())";
                continue;
            }
            foreach (array_diff($type['requires'], array_keys($logged[$id]['fields'])) as $field) {
                $behind[] = "$id: no helper call sets $field, which the catalog requires";
            }
            if ($type['defaultActor'] !== null && !isset($logged[$id]['actors'][$type['defaultActor']])) {
                $behind[] = "$id: no helper logs it as its default actor, {$type['defaultActor']}";
            }
        }
        self::assertSame([], $behind, "Catalog types the typed helpers cannot log as the library wants:\n  " . implode("\n  ", $behind));
    }

    public function testASystemActionWithoutAReasonIsRefusedNamingIt(): void
    {
        foreach ([null, ''] as $reason) {
            try {
                $this->events->serviceAction(ServiceAction::Restart, 42, Actor::system(), $reason);
                self::fail('a system restart without a reason was stored');
            } catch (InvalidEvent $e) {
                self::assertStringContainsString('details.reason is required', $e->getMessage());
            }
        }
        $this->expectException(InvalidEvent::class);
        $this->expectExceptionMessage('must be one of bandwidth, disk, reseller_transfer');
        $this->events->serviceAction(ServiceAction::Suspend, 42, Actor::system(), reason: 'abuse');
    }

    public function testABadSourceAddressIsRefused(): void
    {
        $this->expectException(InvalidEvent::class);
        $this->expectExceptionMessage('not-an-ip');
        $this->events->djConnect(42, 'Alice', 'not-an-ip');
    }

    /** @return iterable<string, array{\Closure(): Usage, string}> */
    public static function badUsages(): iterable
    {
        yield 'negative used' => [static fn () => new Usage(used: -1, limit: 10, unit: 'GB'), 'used must be a finite number of at least 0'];
        yield 'infinite limit' => [static fn () => new Usage(used: 1, limit: INF, unit: 'GB'), 'limit must be a finite number'];
        yield 'no unit' => [static fn () => new Usage(used: 1, limit: 10, unit: ' '), 'unit must name the unit'];
    }

    /** @dataProvider badUsages */
    public function testUsageRefusesFiguresThatMeanNothing(\Closure $usage, string $message): void
    {
        $this->expectException(InvalidArgument::class);
        $this->expectExceptionMessage($message);
        $usage();
    }

    /** The stored event with this id, as the query returns it. */
    private function stored(int $id): array
    {
        foreach ($this->log->query(Principal::admin(1), ['perPage' => 500])['logs'] as $row) {
            if ($row['id'] === $id) {
                return $row;
            }
        }
        self::fail("event $id not found");
    }
}
