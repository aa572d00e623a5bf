<?php

declare(strict_types=1);

namespace StreamEvents\Http;

use StreamEvents\Principal;

/**
 * Stand-in for the host panel's authentication in the demo server only
 * (STREAM_EVENTS_DEMO=1): fixed bearer tokens, or the same token in the
 * `stream_events_demo` cookie that the pages' sign-in switcher sets.
 */
final class DemoAuth
{
    public const COOKIE = 'stream_events_demo';

    /** token => [role, id]; the demo seed creates these accounts. */
    public const TOKENS = [
        'demo-admin' => ['admin', 1],
        'demo-reseller' => ['reseller', 2],
        'demo-customer' => ['customer', 4],
    ];

    public static function enabled(): bool
    {
        return getenv('STREAM_EVENTS_DEMO') === '1';
    }

    /** The principal for a request, or null when not signed in (or demo mode is off). */
    public static function principal(array $server, array $cookies): ?Principal
    {
        if (!self::enabled()) {
            return null;
        }
        $token = null;
        $header = $server['HTTP_AUTHORIZATION'] ?? $server['REDIRECT_HTTP_AUTHORIZATION'] ?? '';
        if (is_string($header) && preg_match('/^Bearer\s+(\S+)$/i', trim($header), $m)) {
            $token = $m[1];
        } elseif (isset($cookies[self::COOKIE]) && is_string($cookies[self::COOKIE])) {
            $token = $cookies[self::COOKIE];
        }
        if ($token === null || !isset(self::TOKENS[$token])) {
            return null;
        }
        [$role, $id] = self::TOKENS[$token];
        return Principal::of($role, $id);
    }
}
