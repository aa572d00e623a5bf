<?php

declare(strict_types=1);

namespace StreamEvents;

/**
 * The way panel code logs: one method per kind of event, with enums where the
 * catalog has a closed set, so a type id or reason cannot be misspelt, and a
 * free-form $reason (words, e.g. 'crash recovery') where the catalog takes
 * any. Every catalog type has a method here (EventsTest fails naming a type
 * that has none). Every method returns the stored event's id and throws what
 * EventLog::log() throws.
 *
 *   $events = new Events(EventLog::open($storePath));
 *   $events->serviceAction(ServiceAction::Restart, 42, Actor::user(7, 'alice'));
 *   $events->serviceAction(ServiceAction::Restart, 42, Actor::system(), reason: 'crash recovery');
 *   $events->systemSuspend(42, SuspendReason::Bandwidth, new Usage(used: 1210, limit: 1000, unit: 'GB'));
 */
final class Events
{
    public function __construct(private readonly EventLog $log)
    {
    }

    /**
     * Someone started, stopped, restarted, suspended, unsuspended or removed a
     * service. The system actor must say why ($reason, any words); its
     * suspensions and stops take the catalog's reasons: systemSuspend(), systemStop().
     */
    public function serviceAction(ServiceAction $action, int $serviceId, Actor $actor, ?string $reason = null): int
    {
        return $this->put($action->value, $serviceId, $actor, self::withReason([], $reason));
    }

    /** The system suspended a service (disk, bandwidth, reseller transfer), with what it used against its allowance where known. */
    public function systemSuspend(int $serviceId, SuspendReason $reason, ?Usage $usage = null): int
    {
        return $this->put(ServiceAction::Suspend->value, $serviceId, Actor::system(),
            ['details' => ['reason' => $reason->value] + ($usage?->toDetails() ?? [])]);
    }

    /** The system stopped a service (account expired, service suspended). */
    public function systemStop(int $serviceId, StopReason $reason): int
    {
        return $this->put(ServiceAction::Stop->value, $serviceId, Actor::system(), ['details' => ['reason' => $reason->value]]);
    }

    /** @param list<string> $changedKeys configuration keys that changed, e.g. ['bitrate', 'max_listeners'] */
    public function configUpdate(int $serviceId, Actor $actor, array $changedKeys): int
    {
        return $this->put(EventType::ServiceConfigUpdate->value, $serviceId, $actor, ['details' => ['changes' => array_values($changedKeys)]]);
    }

    public function titleUpdate(int $serviceId, Actor $actor, string $title): int
    {
        return $this->put(EventType::ServiceTitleUpdate->value, $serviceId, $actor, ['details' => ['title' => $title]]);
    }

    /** The system saw a stream above its bitrate limit. */
    public function bitrateWarning(int $serviceId, int $kbps, int $limitKbps): int
    {
        return $this->put(EventType::ServiceBitrateWarning->value, $serviceId, Actor::system(),
            ['details' => ['bitrate' => $kbps, 'limit' => $limitKbps]]);
    }

    /** Someone started, stopped or restarted a service's source (AutoDJ, relay); the system actor must say why. */
    public function sourceAction(SourceAction $action, int $serviceId, Actor $actor, ?string $reason = null): int
    {
        return $this->put($action->value, $serviceId, $actor, self::withReason([], $reason));
    }

    public function djConnect(int $serviceId, string $djName, ?string $sourceIp = null, bool $takeover = false): int
    {
        return $this->dj(EventType::DjConnect, $serviceId, $djName, $sourceIp, $takeover);
    }

    public function djDisconnect(int $serviceId, string $djName, ?string $sourceIp = null, ?string $reason = null): int
    {
        return $this->dj(EventType::DjDisconnect, $serviceId, $djName, $sourceIp, false, null, $reason);
    }

    /** $takeover: the DJ took the air from another live source. */
    public function djOnAir(int $serviceId, string $djName, ?string $sourceIp = null, bool $takeover = false): int
    {
        return $this->dj(EventType::DjOnAir, $serviceId, $djName, $sourceIp, $takeover);
    }

    /** $by: who kicked the DJ (a user, an API client, the system); null when unknown. */
    public function djKicked(int $serviceId, string $djName, ?string $sourceIp = null, ?Actor $by = null, bool $takeover = false,
        ?string $reason = null): int
    {
        return $this->dj(EventType::DjKicked, $serviceId, $djName, $sourceIp, $takeover, $by, $reason);
    }

    public function autoDjOnAir(int $serviceId, AutoDjTrigger $trigger): int
    {
        return $this->put(EventType::AutoDjOnAir->value, $serviceId, Actor::system(), ['details' => ['trigger' => $trigger->value]]);
    }

    /** A mount point went up; server, port and source IP where the stream server sends them. */
    public function mountConnect(int $serviceId, string $mount, ?string $server = null, ?int $port = null, ?string $sourceIp = null): int
    {
        return $this->mount(EventType::MountConnect, $serviceId, $mount, $server, $port, $sourceIp);
    }

    public function mountDisconnect(int $serviceId, string $mount, ?string $server = null, ?int $port = null, ?string $sourceIp = null,
        ?string $reason = null): int
    {
        return $this->mount(EventType::MountDisconnect, $serviceId, $mount, $server, $port, $sourceIp, $reason);
    }

    private function dj(EventType $type, int $serviceId, string $djName, ?string $sourceIp, bool $takeover, ?Actor $actor = null,
        ?string $reason = null): int
    {
        $fields = self::withReason(['djName' => $djName, 'takeover' => $takeover], $reason);
        if ($sourceIp !== null) {
            $fields['sourceIp'] = $sourceIp;
        }
        return $this->put($type->value, $serviceId, $actor ?? Actor::dj($djName), $fields);
    }

    private function mount(EventType $type, int $serviceId, string $mount, ?string $server, ?int $port, ?string $sourceIp,
        ?string $reason = null): int
    {
        $details = array_filter(['mount' => $mount, 'server' => $server, 'port' => $port], static fn ($v) => $v !== null);
        $fields = self::withReason(['details' => $details], $reason);
        if ($sourceIp !== null) {
            $fields['sourceIp'] = $sourceIp;
        }
        return $this->put($type->value, $serviceId, Actor::system(), $fields);
    }

    /** $fields with details.reason; an empty reason says nothing, and the library then asks for one where it must. */
    private static function withReason(array $fields, ?string $reason): array
    {
        if ($reason !== null && $reason !== '') {
            $fields['details']['reason'] = $reason;
        }
        return $fields;
    }

    private function put(string $type, int $serviceId, Actor $actor, array $fields = []): int
    {
        return $this->log->log(['type' => $type, 'serviceId' => $serviceId, 'actor' => $actor->toArray()] + $fields);
    }
}
