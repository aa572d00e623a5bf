<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\EventLog;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Http\Response;

/**
 * POST /hooks/icecast/{serviceId}/{secret}, POST /hooks/liquidsoap/{serviceId}/{secret}
 * and POST /hooks/rtmp/{serviceId}/{secret}.
 *
 * The secret is checked before anything else: a wrong or missing one is 403
 * and nothing is parsed or logged. Replies are immediate (one SQLite commit,
 * two when a restart closes a session): Icecast waits on its auth thread (up
 * to 15 s, Icecast-KH 6 s). A 503 tells Liquidsoap to keep the event and try
 * again; Icecast does not retry (HOOKS.md).
 */
final class HookController
{
    /**
     * @param \Closure(): HookSecret $secret
     * @param \Closure(): EventLog $openLog
     * @param ?\Closure(HookSecret, \Closure(): EventLog): RtmpHook $rtmpHook the TV stations' hook, null where there are none
     * @param ?\Closure(): SessionFiles $sessions where the Icecast and Liquidsoap hooks follow open sessions (to close them after a restart)
     * @param ?\Closure(): DjLoginResolver $djLogins the panel's names for DJ logins (Liquidsoap)
     */
    public function __construct(
        private readonly \Closure $secret,
        private readonly \Closure $openLog,
        private readonly ?\Closure $rtmpHook = null,
        private readonly ?\Closure $sessions = null,
        private readonly ?\Closure $djLogins = null,
    ) {
    }

    /** @param array<string,mixed> $post @param string $body the raw body (nginx-rtmp's fields are read from it) */
    public function handle(string $server, string $serviceId, string $secret, string $method, array $post, string $body = ''): Response
    {
        if (!preg_match('/^[1-9][0-9]{0,17}$/', $serviceId)) {
            return Response::error(404, 'not_found', 'Unknown hook: the service id must be a positive integer.');
        }
        $id = (int) $serviceId;
        try {
            $secrets = ($this->secret)();
        } catch (\RuntimeException|\InvalidArgumentException $e) {
            error_log('stream-events hooks: ' . $e->getMessage());
            // Nothing can be logged without the key; nginx-rtmp would take the station off air on a 503.
            return $server === 'rtmp' ? Response::json(200, ['logged' => 0]) : Response::error(503, 'unavailable', 'The hook key is not available.');
        }
        if ($secret === '' || !$secrets->verify($id, $secret)) {
            return Response::error(403, 'forbidden', 'Wrong or missing hook secret.');
        }
        if ($method !== 'POST') {
            return Response::error(405, 'method_not_allowed', "Method $method is not allowed here; use POST.", null, ['Allow' => 'POST']);
        }
        if ($server === 'rtmp') {
            return $this->rtmp($id, $secrets, $body);
        }
        try {
            $log = ($this->openLog)();
            $sessions = $this->sessions !== null ? ($this->sessions)() : null;
            $djLogins = $server !== 'icecast' && $this->djLogins !== null ? ($this->djLogins)() : null;
        } catch (\RuntimeException $e) {
            // The panel's side, not the call's: even a store setting the library refuses
            // (EL_EINVAL) is a 503, which Liquidsoap retries; a 400 would make it drop the event.
            return self::unavailable($e);
        }
        try {
            $eventId = $server === 'icecast'
                ? (new IcecastHook($log, $sessions))->handle($id, $post)
                : (new LiquidsoapHook($log, $sessions, $djLogins))->handle($id, $post);
        } catch (InvalidHookRequest|InvalidArgument $e) {
            return Response::error(400, 'invalid_hook', $e->getMessage());
        } catch (\RuntimeException $e) {
            // The store, the session files or the panel's resolver: Liquidsoap retries later.
            return self::unavailable($e);
        }
        return Response::json(200, ['id' => $eventId]);
    }

    /** A 503 (Liquidsoap keeps the event and tries again); what failed goes to the error log only. */
    private static function unavailable(\RuntimeException $e): Response
    {
        error_log('stream-events hooks: ' . $e->getMessage());
        return Response::error(503, 'unavailable', 'The event store or the hooks\' session files are not available.');
    }

    /**
     * nginx-rtmp refuses the publish, or drops the publisher, on any answer
     * but 2xx: once the secret is right, whatever goes wrong is only logged
     * here, never a reason to take a station off air.
     */
    private function rtmp(int $serviceId, HookSecret $secrets, string $body): Response
    {
        if ($this->rtmpHook === null) {
            return Response::error(404, 'not_found', 'This bridge has no RTMP hook.');
        }
        try {
            $logged = ($this->rtmpHook)($secrets, $this->openLog)->handle($serviceId, RtmpCallback::fromBody($body));
        } catch (\Throwable $e) {
            // Messages name fields, files and codes, never a stream key.
            error_log("stream-events hooks: rtmp service $serviceId: " . $e->getMessage());
            $logged = 0;
        }
        return Response::json(200, ['logged' => $logged]);
    }
}
