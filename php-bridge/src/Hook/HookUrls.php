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

    /** A whole `<mount>` block for icecast.xml: the mount and its `<authentication>`. */
    public function icecastMount(int $serviceId, string $mount): string
    {
        if (!preg_match('#^/[^\s<>&"\']{0,200}$#', $mount)) {
            throw new \InvalidArgumentException("A mount point starts with / and has no spaces or XML characters, got '$mount'.");
        }
        $indent = static fn (string $block): string => preg_replace('/^(?=.)/m', '  ', $block);
        return "<mount type=\"normal\">\n  <mount-name>$mount</mount-name>\n" . $indent($this->icecastAuthentication($serviceId, '  ')) . "</mount>\n";
    }

    private function url(string $server, int $serviceId): string
    {
        if ($serviceId < 1) {
            throw new \InvalidArgumentException("A service id is a positive integer, got $serviceId.");
        }
        return "{$this->baseUrl}/hooks/$server/$serviceId/" . $this->secret->forService($serviceId);
    }
}
