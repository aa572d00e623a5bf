<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\Actor;
use StreamEvents\AutoDjTrigger;
use StreamEvents\EventLog;
use StreamEvents\EventType;

/**
 * DJ and AutoDJ events posted by php-bridge/liquidsoap/stream-events.liq:
 * form fields `type` (dj.connect, dj.disconnect, dj.on_air, dj.kicked,
 * autodj.on_air), `time` (unix ms when it happened in Liquidsoap), `djName`,
 * `sourceIp`, `takeover` (true|false), `trigger` (startup|dj_disconnect),
 * `reason` (why a DJ was kicked).
 */
final class LiquidsoapHook
{
    private const DJ_TYPES = [EventType::DjConnect, EventType::DjDisconnect, EventType::DjOnAir, EventType::DjKicked];
    /** Liquidsoap's clock is trusted this far from ours; beyond it the event is stamped now. */
    private const MAX_SKEW_MS = 600_000;

    public function __construct(private readonly EventLog $log)
    {
    }

    /** @param array<string,mixed> $post the form fields; returns the stored event's id */
    public function handle(int $serviceId, array $post, ?int $nowMs = null): int
    {
        $type = EventType::tryFrom(HookForm::field($post, 'type'));
        $event = ['serviceId' => $serviceId];
        if ($type === EventType::AutoDjOnAir) {
            $trigger = AutoDjTrigger::tryFrom(HookForm::field($post, 'trigger'))
                ?? throw new InvalidHookRequest('autodj.on_air needs trigger=startup or trigger=dj_disconnect.');
            $event += ['actor' => Actor::system()->toArray(), 'details' => ['trigger' => $trigger->value]];
        } elseif (in_array($type, self::DJ_TYPES, true)) {
            $dj = HookForm::field($post, 'djName');
            if ($dj === '') {
                throw new InvalidHookRequest("{$type->value} needs djName.");
            }
            $event['djName'] = $dj;
            if ($type === EventType::DjKicked) {
                // The panel kicked the DJ (stream_events.kick), not the DJ themself.
                $reason = HookForm::field($post, 'reason');
                $event += ['actor' => Actor::system()->toArray(), 'details' => ['reason' => $reason !== '' ? $reason : 'kicked_by_panel']];
            } else {
                $event['actor'] = Actor::dj($dj)->toArray();
            }
            $event['takeover'] = $type === EventType::DjOnAir && HookForm::field($post, 'takeover') === 'true';
            $ip = HookForm::field($post, 'sourceIp');
            if (filter_var($ip, FILTER_VALIDATE_IP) !== false) {
                $event['sourceIp'] = $ip;
            }
        } else {
            throw new InvalidHookRequest('Unknown Liquidsoap hook type; expected dj.connect, dj.disconnect, dj.on_air, dj.kicked or autodj.on_air.');
        }
        $event['type'] = $type->value;

        // Events are stamped where they happened: the HTTP calls of one
        // Liquidsoap run on separate threads and may arrive out of order.
        $now = $nowMs ?? (int) floor(microtime(true) * 1000);
        $time = filter_var(HookForm::field($post, 'time'), FILTER_VALIDATE_INT);
        $event['time'] = $time !== false && abs($time - $now) <= self::MAX_SKEW_MS ? $time : $now;
        return $this->log->log($event);
    }
}
