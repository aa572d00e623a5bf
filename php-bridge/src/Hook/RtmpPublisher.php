<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/** A client publishing to a TV station's nginx-rtmp, as the RTMP hook keeps it between callbacks. */
final class RtmpPublisher
{
    /**
     * @param string $stream a keyed fingerprint of the app and stream key (RtmpHook::fingerprint), never the key
     * @param ?string $djName the presenter; null for the station's own playout or relay
     * @param ?array{actor: array, reason: string} $kick set while the panel drops it (RtmpControl::kick)
     */
    public function __construct(
        public readonly int $clientId,
        public readonly string $app,
        public readonly string $stream,
        public readonly ?string $djName,
        public readonly ?string $ip,
        public readonly int $since,
        public readonly ?array $kick = null,
    ) {
    }

    public function isStation(): bool
    {
        return $this->djName === null;
    }

    public function withKick(?array $kick): self
    {
        return new self($this->clientId, $this->app, $this->stream, $this->djName, $this->ip, $this->since, $kick);
    }

    public function toArray(): array
    {
        return ['clientId' => $this->clientId, 'app' => $this->app, 'stream' => $this->stream, 'djName' => $this->djName,
            'ip' => $this->ip, 'since' => $this->since, 'kick' => $this->kick];
    }

    public static function fromArray(array $a): self
    {
        return new self((int) $a['clientId'], (string) $a['app'], (string) $a['stream'],
            isset($a['djName']) ? (string) $a['djName'] : null, isset($a['ip']) ? (string) $a['ip'] : null,
            (int) $a['since'], is_array($a['kick'] ?? null) ? $a['kick'] : null);
    }
}
