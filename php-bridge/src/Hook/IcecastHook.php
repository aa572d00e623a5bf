<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\Actor;
use StreamEvents\EventLog;
use StreamEvents\EventType;

/**
 * Icecast URL-authentication mount hooks (`mount_add` / `mount_remove`).
 *
 * Icecast 2.4 posts `action=mount_add&mount=/live&server=HOST&port=PORT`
 * (server and port are its <hostname> and first listen port); Icecast-KH adds
 * `ip` and `agent` of the source client and may say `mount_delete`.
 *
 * Icecast never retries a hook call and says nothing when it starts, so a
 * mount_remove lost (bridge down) or never sent (Icecast killed) leaves the
 * mount open in the log. With session files the hook follows the open mounts
 * of each service: a mount_add for a mount still open closes that session
 * first, by the system actor with reason end_not_reported.
 */
final class IcecastHook
{
    private const ACTIONS = [
        'mount_add' => EventType::MountConnect,
        'mount_remove' => EventType::MountDisconnect,
        'mount_delete' => EventType::MountDisconnect,
    ];

    public const END_NOT_REPORTED = 'end_not_reported';

    public function __construct(private readonly EventLog $log, private readonly ?SessionFiles $sessions = null)
    {
    }

    /** @param array<string,mixed> $post the form fields; returns the stored event's id */
    public function handle(int $serviceId, array $post): int
    {
        $action = HookForm::field($post, 'action');
        $type = self::ACTIONS[$action] ?? throw new InvalidHookRequest(
            "Unknown Icecast hook action '" . substr($action, 0, 40) . "'; expected mount_add, mount_remove or mount_delete.");
        $mount = HookForm::field($post, 'mount');
        if ($mount === '' || $mount[0] !== '/') {
            throw new InvalidHookRequest('The Icecast hook needs a mount point (mount=/live).');
        }
        $details = ['mount' => $mount];
        $server = HookForm::field($post, 'server');
        if ($server !== '') {
            $details['server'] = $server;
        }
        $port = filter_var(HookForm::field($post, 'port'), FILTER_VALIDATE_INT, ['options' => ['min_range' => 1, 'max_range' => 65535]]);
        if ($port !== false) {
            $details['port'] = $port;
        }
        // The client's own words: keep at most 200 characters, and only valid UTF-8.
        if (preg_match('/^.{1,200}/su', HookForm::field($post, 'agent'), $m) === 1) {
            $details['agent'] = $m[0];
        }
        $event = ['type' => $type->value, 'serviceId' => $serviceId, 'actor' => Actor::system()->toArray(), 'details' => $details];
        $ip = HookForm::field($post, 'ip');
        if (filter_var($ip, FILTER_VALIDATE_IP) !== false) {
            $event['sourceIp'] = $ip;
        }
        if ($this->sessions === null) {
            return $this->log->log($event);
        }
        return $this->sessions->update("icecast-$serviceId", function (array &$mounts) use ($event, $mount, $type): int {
            $event['time'] = (int) floor(microtime(true) * 1000);
            $open = $mounts[$mount] ?? null;
            unset($mounts[$mount]);
            if ($type === EventType::MountConnect) {
                if (is_array($open)) {
                    $this->log->log(self::closed($event, $open));
                }
                $mounts[$mount] = $event;
            }
            return $this->log->log($event);
        });
    }

    /**
     * The end of an open mount session that Icecast never reported: logged at
     * the new session's start (same time, logged first), keyed after the old
     * session so that it is closed once.
     */
    private static function closed(array $next, array $open): array
    {
        $event = ['type' => EventType::MountDisconnect->value, 'serviceId' => $next['serviceId'], 'time' => $next['time'],
            'actor' => Actor::system()->toArray(), 'details' => ['reason' => self::END_NOT_REPORTED] + $open['details'],
            'deliveryKey' => "icecast/{$next['serviceId']}/" . hash('sha256', $open['details']['mount'] . "\0" . $open['time']) . '/closed'];
        if (isset($open['sourceIp'])) {
            $event['sourceIp'] = $open['sourceIp'];
        }
        return $event;
    }
}
