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
 * autodj.on_air), `time` (unix ms when it happened in Liquidsoap), `run`
 * (one per Liquidsoap start), `eventId` (unique within the run), `djName`,
 * `djPassword` (dj.connect, when the snippet sends logins), `sourceIp`,
 * `takeover` (true|false), `trigger` (startup|dj_disconnect), `reason` (why
 * a DJ was kicked).
 *
 * Liquidsoap retries until it gets an answer, so the same event may come
 * twice: run and eventId make its delivery key, and the store keeps it once.
 * With session files, the hook follows the live DJ of each service; the
 * first event of a new run (AutoDJ's startup, normally) closes a DJ session
 * the previous run left open, by the system actor with reason
 * liquidsoap_restart, just before that event.
 */
final class LiquidsoapHook
{
    public const RESTART = 'liquidsoap_restart';
    private const DJ_TYPES = [EventType::DjConnect, EventType::DjDisconnect, EventType::DjOnAir, EventType::DjKicked];
    /** Liquidsoap's clock is trusted this far ahead of ours; beyond it the event is stamped now. */
    private const MAX_AHEAD_MS = 600_000;
    /** A spooled event keeps its time this long (the spool waits at least a day for the bridge). */
    private const MAX_AGE_MS = 7 * 86_400_000;

    public function __construct(
        private readonly EventLog $log,
        private readonly ?SessionFiles $sessions = null,
        private readonly ?DjLoginResolver $logins = null,
    ) {
    }

    /** @param array<string,mixed> $post the form fields; returns the stored event's id (the first one's, for a repeat) */
    public function handle(int $serviceId, array $post, ?int $nowMs = null): int
    {
        $event = $this->event($serviceId, $post, $nowMs ?? (int) floor(microtime(true) * 1000));
        $run = self::token($post, 'run', 32);
        $eventId = self::token($post, 'eventId', 40);
        if ($run !== '' && $eventId !== '') {
            $event['deliveryKey'] = "liquidsoap/$serviceId/$run/$eventId";
        }
        if ($this->sessions === null) {
            return $this->log->log($event);
        }
        // As typed: a password is not trimmed.
        $password = $post['djPassword'] ?? '';
        $login = ['user' => $event['djName'] ?? '', 'password' => is_string($password) ? $password : ''];
        return $this->sessions->update("liquidsoap-$serviceId", function (array &$state) use ($event, $run, $login): int {
            if ($run !== '' && ($state['run'] ?? '') !== $run) {
                $this->closeRestarted($state, $event);
                $state = ['run' => $run];
            }
            return $this->log->log($this->follow($state, $event, $login));
        });
    }

    /** The event as the form describes it, before the live DJ is taken into account. */
    private function event(int $serviceId, array $post, int $now): array
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

        // Stamped where it happened: calls arrive late (from the spool) and,
        // across threads, not always in order.
        $time = filter_var(HookForm::field($post, 'time'), FILTER_VALIDATE_INT);
        $event['time'] = $time !== false && $time <= $now + self::MAX_AHEAD_MS && $time >= $now - self::MAX_AGE_MS ? $time : $now;
        return $event;
    }

    /**
     * Liquidsoap started again: the DJ its previous run left live is gone.
     * Logged at the new run's first event (same time, logged first, so it
     * sorts before it); keyed after the session, so it is closed once.
     */
    private function closeRestarted(array $state, array $next): void
    {
        $dj = $state['dj'] ?? null;
        if (!is_array($dj) || !is_string($dj['name'] ?? null)) {
            return;
        }
        $event = ['type' => EventType::DjDisconnect->value, 'serviceId' => $next['serviceId'], 'time' => $next['time'],
            'actor' => Actor::system()->toArray(), 'djName' => $dj['name'], 'takeover' => false,
            'details' => ['reason' => self::RESTART]];
        if (is_string($dj['ip'] ?? null)) {
            $event['sourceIp'] = $dj['ip'];
        }
        if (is_string($dj['key'] ?? null)) {
            $event['deliveryKey'] = $dj['key'] . '/closed';
        }
        $this->log->log($event);
    }

    /**
     * Follows the live DJ: dj.connect opens the session (named by the panel
     * from the login when it can), dj.disconnect and dj.kicked close it, and
     * the session's events carry its name. Returns the event to log.
     *
     * @param array{user: string, password: string} $login
     */
    private function follow(array &$state, array $event, #[\SensitiveParameter] array $login): array
    {
        $type = $event['type'];
        if ($type === EventType::DjConnect->value) {
            $name = ($login['password'] !== '' ? $this->logins?->djNameFor($event['serviceId'], $login['user'], $login['password']) : null) ?? $login['user'];
            $state['dj'] = ['login' => $login['user'], 'name' => $name, 'ip' => $event['sourceIp'] ?? null, 'key' => $event['deliveryKey'] ?? null];
        }
        $dj = $state['dj'] ?? null;
        if (isset($event['djName']) && is_array($dj) && ($dj['login'] ?? null) === $event['djName']) {
            $event['djName'] = $dj['name'];
            if ($event['actor']['type'] === 'dj') {
                $event['actor'] = Actor::dj($dj['name'])->toArray();
            }
        }
        if ($type === EventType::DjDisconnect->value || $type === EventType::DjKicked->value) {
            unset($state['dj']);
        }
        return $event;
    }

    /** An identifier the snippet generated ('' when absent or not one of ours: the event is still logged, without a key). */
    private static function token(array $post, string $name, int $maxLength): string
    {
        $value = HookForm::field($post, $name);
        return preg_match('/^[0-9a-z-]{1,' . $maxLength . '}$/', $value) === 1 ? $value : '';
    }
}
