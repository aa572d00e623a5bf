<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\Actor;
use StreamEvents\AutoDjTrigger;
use StreamEvents\EventLog;
use StreamEvents\EventType;
use StreamEvents\Exception\EventLogException;

/**
 * A TV station's nginx-rtmp callbacks (on_publish, on_publish_done,
 * on_update), logged the way a radio's DJs are:
 *
 *  - a presenter publishes: dj.connect, then dj.on_air, with takeover when
 *    another presenter or the station's playlist was on air;
 *  - the presenter stops: dj.disconnect, or dj.kicked when the panel dropped
 *    them (RtmpControl::kick); then dj.on_air of a presenter still live, or
 *    autodj.on_air (trigger dj_disconnect) when the station's playlist is;
 *  - the station's own playout or relay publishes or stops: source.start,
 *    source.stop (reason rtmp_publish, rtmp_publish_done).
 *
 * nginx-rtmp calls on_publish before its live module looks at the stream;
 * a second publisher of a live stream is refused only after the answer, and
 * its publish_done follows at once. Such a publisher is held back, and logged
 * only if it turns out to be publishing after all (an update, or an end long
 * after its start): then the one that blocked it had gone without a
 * publish_done, and its session is closed (reason end_not_reported).
 *
 * nginx sends nothing when it starts, and no publish_done for its publishers
 * when it is killed. What is still live is closed by the system actor
 * (reason nginx_restart) when the station's unit posts `call=start` before
 * nginx starts, or when a publish reuses a client id still live: nginx
 * numbers connections afresh each run, so that publisher's nginx is gone.
 */
final class RtmpHook
{
    public const PROTOCOL = 'rtmp';
    /** nginx refuses at once: a held publisher still there after this was let through. */
    private const REFUSAL_MS = 10_000;
    /** A held publisher whose publish_done never came (the bridge was down) is dropped after this. */
    private const HELD_MS = 86_400_000;
    public const RESTART = 'nginx_restart';
    public const END_NOT_REPORTED = 'end_not_reported';

    /** @param \Closure(): EventLog $openLog opened only to log, so the station is followed even while the store is down */
    public function __construct(
        private readonly \Closure $openLog,
        private readonly StreamKeyResolver $keys,
        private readonly RtmpSessions $sessions,
        private readonly HookSecret $secrets,
    ) {
    }

    /**
     * Applies one callback; returns how many events it logged.
     *
     * @throws EventLogException when the events could not be stored (the station's state is kept all the same)
     */
    public function handle(int $serviceId, RtmpCallback $callback, ?int $nowMs = null): int
    {
        $now = $nowMs ?? (int) floor(microtime(true) * 1000);
        $failure = null;
        $logged = $this->sessions->update($serviceId, function (RtmpStation $station) use ($serviceId, $callback, $now, &$failure): int {
            $station->forgetHeldBefore($now - self::HELD_MS);
            $events = match ($callback->call) {
                'publish' => $this->publish($station, $serviceId, $callback, $now),
                'publish_done' => $this->publishDone($station, $serviceId, $callback->clientId, $now),
                'update_publish' => $this->stillPublishing($station, $serviceId, $callback->clientId, $now),
                RtmpCallback::START => $this->closeAll($station, $serviceId, $now),
                default => [], // play, done, record_done, …: nobody starts or stops publishing
            };
            try {
                return $events === [] ? 0 : ($this->openLog)()->logBatch($events);
            } catch (EventLogException $e) {
                $failure = $e;
                return 0;
            }
        });
        if ($failure !== null) {
            throw $failure;
        }
        return $logged;
    }

    /** How a publisher whose key the panel does not know is named: at most the key's last 4 characters, none of a short key. */
    public static function unknownPublisher(#[\SensitiveParameter] string $key): string
    {
        $tail = substr($key, -4);
        return strlen($key) >= 12 && preg_match('/^[A-Za-z0-9_-]{4}$/', $tail) === 1 ? "Unknown publisher …$tail" : 'Unknown publisher';
    }

    private function publish(RtmpStation $station, int $serviceId, RtmpCallback $callback, int $now): array
    {
        $key = $callback->streamKey;
        $djName = $this->keys->isStationSource($serviceId, $key) ? null
            : $this->keys->djNameFor($serviceId, $key) ?? self::unknownPublisher($key);
        $stream = substr(hash_hmac('sha256', "rtmp-stream/{$callback->app}/$key", $this->secrets->forService($serviceId)), 0, 32);
        $publisher = new RtmpPublisher($callback->clientId, $callback->app, $stream, $djName, $callback->addr, $now);
        // Client ids are unique within one nginx run: one still known means that run is over.
        $closed = $station->live($callback->clientId) !== null || $station->held($callback->clientId) !== null
            ? $this->closeAll($station, $serviceId, $now) : [];
        if ($station->publishing($publisher->app, $publisher->stream) !== null) {
            $station->hold($publisher);
            return $closed;
        }
        return [...$closed, ...$this->goLive($station, $serviceId, $publisher, $now)];
    }

    /** nginx restarted: every session still open is closed by the system, before whatever the new run does. */
    private function closeAll(RtmpStation $station, int $serviceId, int $now): array
    {
        return array_map(fn (RtmpPublisher $p): array => $this->closed($serviceId, $p, $now, self::RESTART), $station->clear());
    }

    /** The end nginx never reported: dj.disconnect of a presenter, source.stop of the station's own source. */
    private function closed(int $serviceId, RtmpPublisher $publisher, int $at, string $reason): array
    {
        return $this->event($publisher->isStation() ? EventType::SourceStop : EventType::DjDisconnect, $serviceId, $publisher, $at,
            Actor::system()->toArray(), details: ['reason' => $reason]);
    }

    private function publishDone(RtmpStation $station, int $serviceId, int $clientId, int $now): array
    {
        $events = [];
        $held = $station->held($clientId);
        if ($held !== null) {
            if ($now - $held->since < self::REFUSAL_MS) {
                $station->remove($clientId); // refused by nginx: it never published
                return [];
            }
            $events = $this->promote($station, $serviceId, $held);
        }
        $publisher = $station->live($clientId);
        if ($publisher === null) {
            return $events; // it began before the hook was set up, or nginx never let it through
        }
        $wasOnAir = $station->onAir()?->clientId === $clientId;
        $station->remove($clientId);
        if ($publisher->isStation()) {
            $events[] = $this->event(EventType::SourceStop, $serviceId, $publisher, $now, details: ['reason' => 'rtmp_publish_done']);
            return $events;
        }
        $events[] = $publisher->kick === null
            ? $this->event(EventType::DjDisconnect, $serviceId, $publisher, $now)
            : $this->event(EventType::DjKicked, $serviceId, $publisher, $now, $publisher->kick['actor'], details: ['reason' => $publisher->kick['reason']]);
        $next = $wasOnAir ? $station->onAir() : null;
        if ($next !== null) {
            $events[] = $next->isStation()
                ? $this->event(EventType::AutoDjOnAir, $serviceId, $next, $now, details: ['trigger' => AutoDjTrigger::DjDisconnect->value])
                : $this->event(EventType::DjOnAir, $serviceId, $next, $now);
        }
        return $events;
    }

    private function stillPublishing(RtmpStation $station, int $serviceId, int $clientId, int $now): array
    {
        $held = $station->held($clientId);
        return $held !== null && $now - $held->since >= self::REFUSAL_MS ? $this->promote($station, $serviceId, $held) : [];
    }

    /** A held publisher turned out to be publishing: logged from its start; the one that seemed to block it had gone by then. */
    private function promote(RtmpStation $station, int $serviceId, RtmpPublisher $held): array
    {
        $gone = $station->publishing($held->app, $held->stream);
        $closed = [];
        if ($gone !== null) {
            $station->remove($gone->clientId);
            $closed[] = $this->closed($serviceId, $gone, $held->since, self::END_NOT_REPORTED);
        }
        $station->remove($held->clientId);
        return [...$closed, ...$this->goLive($station, $serviceId, $held, $held->since)];
    }

    private function goLive(RtmpStation $station, int $serviceId, RtmpPublisher $publisher, int $at): array
    {
        $before = $station->onAir();
        $station->add($publisher);
        if ($publisher->isStation()) {
            return [$this->event(EventType::SourceStart, $serviceId, $publisher, $at, details: ['reason' => 'rtmp_publish'])];
        }
        return [
            $this->event(EventType::DjConnect, $serviceId, $publisher, $at),
            $this->event(EventType::DjOnAir, $serviceId, $publisher, $at, takeover: $before !== null),
        ];
    }

    /** An event about $publisher: by the presenter, or the system for the station's source, unless $actor says who. */
    private function event(EventType $type, int $serviceId, RtmpPublisher $publisher, int $at, ?array $actor = null,
        bool $takeover = false, array $details = []): array
    {
        $event = ['type' => $type->value, 'serviceId' => $serviceId, 'time' => $at,
            'actor' => $actor ?? ($publisher->isStation() ? Actor::system() : Actor::dj($publisher->djName))->toArray(),
            'details' => array_filter(['app' => $publisher->app, 'protocol' => self::PROTOCOL], static fn (string $v): bool => $v !== '') + $details];
        if (!$publisher->isStation()) {
            $event += ['djName' => $publisher->djName, 'takeover' => $takeover];
        }
        if ($publisher->ip !== null) {
            $event['sourceIp'] = $publisher->ip;
        }
        return $event;
    }
}
