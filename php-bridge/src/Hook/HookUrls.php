<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * The hook URLs of a service and the Icecast config that uses them
 * (RtmpConfig writes the nginx-rtmp one).
 * $baseUrl is where the stream server reaches the bridge, e.g.
 * "http://panel.example" or "http://127.0.0.1:8080".
 */
final class HookUrls
{
    private readonly string $baseUrl;

    public function __construct(string $baseUrl, private readonly HookSecret $secret)
    {
        if (!preg_match('#^https?://[^/?\#\s]+(/[^?\#\s]*)?$#', $baseUrl)) {
            throw new \InvalidArgumentException("The bridge base URL must be http(s)://host[:port][/path], got '$baseUrl'.");
        }
        $this->baseUrl = rtrim($baseUrl, '/');
    }

    public function icecast(int $serviceId): string
    {
        return $this->url('icecast', $serviceId);
    }

    public function liquidsoap(int $serviceId): string
    {
        return $this->url('liquidsoap', $serviceId);
    }

    public function rtmp(int $serviceId): string
    {
        return $this->url('rtmp', $serviceId);
    }

    /** The `<authentication type="url">` block for the service's `<mount>` in icecast.xml. */
    public function icecastAuthentication(int $serviceId, string $indent = '    '): string
    {
        $url = htmlspecialchars($this->icecast($serviceId), ENT_XML1 | ENT_QUOTES, 'UTF-8');
        return "<authentication type=\"url\">\n"
            . "$indent<option name=\"mount_add\" value=\"$url\"/>\n"
            . "$indent<option name=\"mount_remove\" value=\"$url\"/>\n"
            . "</authentication>\n";
    }

    private function url(string $server, int $serviceId): string
    {
        if ($serviceId < 1) {
            throw new \InvalidArgumentException("A service id is a positive integer, got $serviceId.");
        }
        return "{$this->baseUrl}/hooks/$server/$serviceId/" . $this->secret->forService($serviceId);
    }
}
