<?php

declare(strict_types=1);

namespace StreamEvents\Demo;

use StreamEvents\Http\Authenticator;
use StreamEvents\Principal;

/**
 * The demo server's stand-in for the panel's sign-in (STREAM_EVENTS_DEMO=1
 * only): fixed bearer tokens, or the same token in the cookie that the pages'
 * sign-in switcher sets.
 */
final class DemoAuth implements Authenticator
{
    public const COOKIE = 'stream_events_demo';

    /** token => [role, id, label]; the accounts are in demo/directory.php. */
    public const USERS = [
        'demo-admin' => ['admin', 1, "Admin (id 1) \u{2014} whole panel"],
        'demo-reseller' => ['reseller', 2, "Reseller (id 2) \u{2014} its customers"],
        'demo-customer' => ['customer', 4, "Customer (id 4) \u{2014} own services"],
    ];

    /**
     * @param array<string,mixed> $server $_SERVER
     * @param array<string,mixed> $cookies $_COOKIE
     */
    public function __construct(private readonly array $server, private readonly array $cookies)
    {
    }

    public static function enabled(): bool
    {
        return getenv('STREAM_EVENTS_DEMO') === '1';
    }

    /** Nobody outside demo mode. */
    public function authenticate(): ?Principal
    {
        if (!self::enabled()) {
            return null;
        }
        $token = null;
        $header = $this->server['HTTP_AUTHORIZATION'] ?? $this->server['REDIRECT_HTTP_AUTHORIZATION'] ?? '';
        if (is_string($header) && preg_match('/^Bearer\s+(\S+)$/i', trim($header), $m)) {
            $token = $m[1];
        } elseif (isset($this->cookies[self::COOKIE]) && is_string($this->cookies[self::COOKIE])) {
            $token = $this->cookies[self::COOKIE];
        }
        if ($token === null || !isset(self::USERS[$token])) {
            return null;
        }
        [$role, $id] = self::USERS[$token];
        return Principal::of($role, $id);
    }
}
