<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\Actor;
use StreamEvents\AutoDjTrigger;
use StreamEvents\EventLog;
use StreamEvents\Events;
use StreamEvents\Exception\InvalidEvent;
use StreamEvents\Principal;
use StreamEvents\ServiceAction;
use StreamEvents\SourceAction;
use StreamEvents\StopReason;
use StreamEvents\SuspendReason;

/** The typed helpers produce events the library accepts, with the catalog's attributes. */
final class EventsTest extends TestCase
{
    private EventLog $log;
    private Events $events;

    protected function setUp(): void
    {
        $this->log = Fixture::openStore();
        $this->events = new Events($this->log);
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

    public function testEveryServiceActionWithEachKindOfActor(): void
    {
        $actors = [Actor::user(7, 'alice'), Actor::api(3, 'billing'), Actor::dj('Zed')];
        foreach (ServiceAction::cases() as $i => $action) {
            $actor = $actors[$i % count($actors)];
            $row = $this->stored($this->events->serviceAction($action, 42, $actor));
            self::assertSame($action->value, $row['type']);
            self::assertSame('service', $row['category']);
            self::assertSame(42, $row['serviceId']);
            self::assertSame($actor->toArray(), $row['actor']);
        }
    }

    public function testSystemActionsNeedTheHelpersThatNameAReason(): void
    {
        $row = $this->stored($this->events->systemSuspend(42, SuspendReason::ResellerTransfer));
        self::assertSame('service.suspend', $row['type']);
        self::assertSame('system', $row['actor']['type']);
        self::assertSame(['reason' => 'reseller_transfer'], $row['details']);
        $row = $this->stored($this->events->systemStop(42, StopReason::AccountExpired));
        self::assertSame(['service.stop', ['reason' => 'account_expired']], [$row['type'], $row['details']]);
        // A bare system restart has no reason: the library refuses it.
        $this->expectException(InvalidEvent::class);
        $this->events->serviceAction(ServiceAction::Restart, 42, Actor::system());
    }

    public function testConfigTitleAndBitrate(): void
    {
        $row = $this->stored($this->events->configUpdate(42, Actor::user(7, 'alice'), ['bitrate' => 'bitrate', 'mount']));
        self::assertSame(['service.config_update', ['changes' => ['bitrate', 'mount']]], [$row['type'], $row['details']]);
        $row = $this->stored($this->events->titleUpdate(42, Actor::api(3, 'nowplaying'), 'Artist – Song'));
        self::assertSame(['service.title_update', ['title' => 'Artist – Song']], [$row['type'], $row['details']]);
        $row = $this->stored($this->events->bitrateWarning(42, 320, 128));
        self::assertSame('service.bitrate_warning', $row['type']);
        self::assertSame('system', $row['actor']['type']);
        self::assertSame(320, $row['details']['bitrate']);
        self::assertSame(128, $row['details']['limit']);
    }

    public function testSourceActions(): void
    {
        foreach (SourceAction::cases() as $action) {
            $row = $this->stored($this->events->sourceAction($action, 43, Actor::user(5, 'cora')));
            self::assertSame([$action->value, 'source'], [$row['type'], $row['category']]);
        }
    }

    public function testDjEvents(): void
    {
        $row = $this->stored($this->events->djConnect(42, 'Alice', '2001:db8::7'));
        self::assertSame(['dj.connect', 'Alice', '2001:db8::7', false], [$row['type'], $row['djName'], $row['sourceIp'], $row['takeover']]);
        self::assertSame(['type' => 'dj', 'id' => null, 'name' => 'Alice'], $row['actor']);
        $row = $this->stored($this->events->djOnAir(42, 'Alice', '2001:db8::7', takeover: true));
        self::assertSame(['dj.on_air', true], [$row['type'], $row['takeover']]);
        $row = $this->stored($this->events->djKicked(42, 'Alice', null, Actor::user(4, 'Carl')));
        self::assertSame(['dj.kicked', null, 'user'], [$row['type'], $row['sourceIp'], $row['actor']['type']]);
        $row = $this->stored($this->events->djDisconnect(42, 'Alice'));
        self::assertSame(['dj.disconnect', 'Alice'], [$row['type'], $row['djName']]);
        $this->expectException(InvalidEvent::class);
        $this->events->djConnect(42, 'Alice', 'not-an-ip');
    }

    public function testAutoDjAndMounts(): void
    {
        $row = $this->stored($this->events->autoDjOnAir(44, AutoDjTrigger::DjDisconnect));
        self::assertSame(['autodj.on_air', 'autodj', ['trigger' => 'dj_disconnect']], [$row['type'], $row['category'], $row['details']]);
        $row = $this->stored($this->events->mountConnect(44, '/live', 'ice1.example.net', 8000, '203.0.113.9'));
        self::assertSame(['mount.connect', 'mount', '203.0.113.9'], [$row['type'], $row['category'], $row['sourceIp']]);
        $details = $row['details'];
        ksort($details);
        self::assertSame(['mount' => '/live', 'port' => 8000, 'server' => 'ice1.example.net'], $details);
        $row = $this->stored($this->events->mountDisconnect(44, '/live'));
        self::assertSame(['mount.disconnect', ['mount' => '/live'], null], [$row['type'], $row['details'], $row['sourceIp']]);
    }
}
