<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Http\Response;

/**
 * POST /hooks/icecast/{serviceId}/{secret} and POST /hooks/liquidsoap/{serviceId}/{secret}.
 *
 * The secret is checked before anything else: a wrong or missing one is 403
 * and nothing is parsed or logged. Replies are immediate (one SQLite commit):
 * Icecast waits on its auth thread (up to 15 s, Icecast-KH 6 s).
 */
final class HookController
{
    /**
     * @param \Closure(): HookSecret $secret
     * @param \Closure(): EventLog $openLog
     */
    public function __construct(private readonly \Closure $secret, private readonly \Closure $openLog)
    {
    }

    /** @param array<string,mixed> $post */
    public function handle(string $server, string $serviceId, string $secret, string $method, array $post): Response
    {
        if (!preg_match('/^[1-9][0-9]{0,17}$/', $serviceId)) {
            return Response::error(404, 'not_found', 'Unknown hook: the service id must be a positive integer.');
        }
        $id = (int) $serviceId;
        try {
            $secrets = ($this->secret)();
        } catch (\RuntimeException|\InvalidArgumentException $e) {
            error_log('stream-events hooks: ' . $e->getMessage());
            return Response::error(503, 'unavailable', 'The hook key is not available.');
        }
        if ($secret === '' || !$secrets->verify($id, $secret)) {
            return Response::error(403, 'forbidden', 'Wrong or missing hook secret.');
        }
        if ($method !== 'POST') {
            return Response::error(405, 'method_not_allowed', "Method $method is not allowed here; use POST.", null, ['Allow' => 'POST']);
        }
        try {
            $log = ($this->openLog)();
            $eventId = $server === 'icecast'
                ? (new IcecastHook($log))->handle($id, $post)
                : (new LiquidsoapHook($log))->handle($id, $post);
        } catch (InvalidHookRequest|InvalidArgument $e) {
            return Response::error(400, 'invalid_hook', $e->getMessage());
        } catch (EventLogException $e) {
            error_log('stream-events hooks: ' . $e->getMessage());
            return Response::error(503, 'unavailable', 'The event store is not available.');
        }
        return Response::json(200, ['id' => $eventId]);
    }
}
