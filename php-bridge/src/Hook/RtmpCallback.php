<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * One nginx-rtmp notify call (on_publish, on_publish_done, on_update, …), or
 * the station's own `call=start`, posted before its nginx starts (HOOKS.md).
 *
 * nginx writes its own fields first (app, flashver, swfurl, tcurl, pageurl,
 * addr, clientid, call, name, …) and then appends the publisher's query
 * string (rtmp://host/app/key?a=b) as it came. PHP's $_POST keeps the last
 * of repeated fields, so a publisher could pass itself off as another
 * client or call; the raw body read here keeps the first, nginx's own.
 */
final class RtmpCallback
{
    /** Sent by the station's service unit, not by nginx: nothing published before it is still live. */
    public const START = 'start';

    private function __construct(
        public readonly string $call,
        public readonly string $app,
        #[\SensitiveParameter] public readonly string $streamKey,
        public readonly ?string $addr,
        public readonly int $clientId,
    ) {
    }

    public static function fromBody(string $body): self
    {
        $fields = [];
        foreach (explode('&', $body) as $pair) {
            [$name, $value] = explode('=', $pair, 2) + [1 => ''];
            $name = urldecode($name);
            if (!array_key_exists($name, $fields)) {
                $fields[$name] = urldecode($value);
            }
        }
        $call = $fields['call'] ?? '';
        if (!preg_match('/^[a-z_]{1,32}$/', $call)) {
            throw new InvalidHookRequest('An nginx-rtmp callback needs call=publish, publish_done, update_publish, ….');
        }
        $clientId = $fields['clientid'] ?? ($call === self::START ? '0' : '');
        if (!preg_match('/^[0-9]{1,18}$/', $clientId)) {
            throw new InvalidHookRequest("The nginx-rtmp callback '$call' has no clientid.");
        }
        // An application name from nginx.conf: kept as a detail only when it looks like one.
        $app = $fields['app'] ?? '';
        $addr = $fields['addr'] ?? '';
        return new self(
            $call,
            preg_match('/^[A-Za-z0-9._-]{1,64}$/', $app) === 1 ? $app : '',
            $fields['name'] ?? '',
            filter_var($addr, FILTER_VALIDATE_IP) !== false ? $addr : null,
            (int) $clientId,
        );
    }

    /** Never print the key, even in a var_dump or a debugger. */
    public function __debugInfo(): array
    {
        return ['call' => $this->call, 'app' => $this->app, 'streamKey' => '(hidden)', 'addr' => $this->addr, 'clientId' => $this->clientId];
    }
}
