<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\Actor;

/**
 * How the panel kicks a TV station's presenter: nginx-rtmp's control module
 * drops the publisher (by client id, so the panel needs no stream key), and
 * the publish_done that follows is logged as dj.kicked by whoever kicked,
 * instead of a disconnect. A drop made any other way is logged as a disconnect.
 */
final class RtmpControl
{
    private readonly string $controlUrl;

    /** @param string $controlUrl where the station's nginx serves `rtmp_control`, e.g. http://127.0.0.1:8936/control */
    public function __construct(string $controlUrl, private readonly RtmpSessions $sessions, private readonly float $timeoutSeconds = 5.0)
    {
        if (!preg_match('#^https?://[^/?\#\s]+(/[^?\#\s]*)?$#', $controlUrl)) {
            throw new \InvalidArgumentException("The nginx-rtmp control URL must be http(s)://host[:port][/path], got '$controlUrl'.");
        }
        $this->controlUrl = rtrim($controlUrl, '/');
    }

    /**
     * Drops the presenter on air, or the live presenter named $djName.
     * Returns the name of the presenter dropped, or null when no such
     * presenter is live (as far as the hook knows, and nginx agrees).
     *
     * @throws \RuntimeException when nginx's control endpoint cannot be reached
     */
    public function kick(int $serviceId, Actor $by, string $reason = 'kicked_by_panel', ?string $djName = null): ?string
    {
        $kick = ['actor' => $by->toArray(), 'reason' => $reason];
        $target = $this->sessions->update($serviceId, static function (RtmpStation $station) use ($djName, $kick): ?RtmpPublisher {
            $target = $station->liveDj($djName);
            // Marked before the drop: nginx's publish_done may reach the hook before its answer reaches us.
            if ($target !== null) {
                $station->replace($target->withKick($kick));
            }
            return $target;
        });
        if ($target === null) {
            return null;
        }
        try {
            $dropped = $this->dropPublisher($target->app, $target->clientId);
        } catch (\RuntimeException $e) {
            $this->unmark($serviceId, $target->clientId);
            throw $e;
        }
        if ($dropped === 0) {
            $this->unmark($serviceId, $target->clientId);
            return null;
        }
        return $target->djName;
    }

    /** The drop did not happen: a later publish_done is a disconnect again. */
    private function unmark(int $serviceId, int $clientId): void
    {
        $this->sessions->update($serviceId, static function (RtmpStation $station) use ($clientId): void {
            $current = $station->live($clientId);
            if ($current !== null) {
                $station->replace($current->withKick(null));
            }
        });
    }

    /** GET {control}/drop/publisher?app=…&clientid=…; nginx answers how many clients it dropped. */
    private function dropPublisher(string $app, int $clientId): int
    {
        $url = "{$this->controlUrl}/drop/publisher?" . http_build_query(['app' => $app, 'clientid' => $clientId]);
        $context = stream_context_create(['http' => ['method' => 'GET', 'timeout' => $this->timeoutSeconds, 'ignore_errors' => true]]);
        $body = @file_get_contents($url, false, $context);
        $status = isset($http_response_header[0]) && preg_match('#^HTTP/\S+ (\d{3})#', $http_response_header[0], $m) ? (int) $m[1] : 0;
        if ($body === false || $status !== 200 || !preg_match('/^\d+$/', trim($body))) {
            throw new \RuntimeException("nginx-rtmp's control endpoint {$this->controlUrl} did not drop client $clientId (HTTP $status).");
        }
        return (int) trim($body);
    }
}
