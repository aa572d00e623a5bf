<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * What a TV station's nginx-rtmp is doing, as far as its callbacks told:
 * the publishers that are live (oldest first) and those held back because
 * nginx was about to refuse them (a second publisher on a live stream).
 *
 * On air is the newest live presenter, else the station's own source.
 */
final class RtmpStation
{
    /** @param list<RtmpPublisher> $live @param list<RtmpPublisher> $held */
    private function __construct(private array $live, private array $held)
    {
    }

    public static function fromArray(array $data): self
    {
        $list = static fn (string $k): array => array_map([RtmpPublisher::class, 'fromArray'],
            array_values(array_filter($data[$k] ?? [], 'is_array')));
        return new self($list('live'), $list('held'));
    }

    public function toArray(): array
    {
        $list = static fn (array $ps): array => array_map(static fn (RtmpPublisher $p): array => $p->toArray(), $ps);
        return ['live' => $list($this->live), 'held' => $list($this->held)];
    }

    public function onAir(): ?RtmpPublisher
    {
        $station = null;
        foreach (array_reverse($this->live) as $p) {
            if (!$p->isStation()) {
                return $p;
            }
            $station ??= $p;
        }
        return $station;
    }

    public function live(int $clientId): ?RtmpPublisher
    {
        return self::find($this->live, $clientId);
    }

    public function held(int $clientId): ?RtmpPublisher
    {
        return self::find($this->held, $clientId);
    }

    /** The live publisher of a stream: nginx-rtmp lets one client publish a stream at a time. */
    public function publishing(string $app, string $stream): ?RtmpPublisher
    {
        foreach ($this->live as $p) {
            if ($p->app === $app && $p->stream === $stream) {
                return $p;
            }
        }
        return null;
    }

    /** The live presenter named $djName (the newest), or the one on air when null. */
    public function liveDj(?string $djName): ?RtmpPublisher
    {
        if ($djName === null) {
            $onAir = $this->onAir();
            return $onAir !== null && !$onAir->isStation() ? $onAir : null;
        }
        foreach (array_reverse($this->live) as $p) {
            if ($p->djName === $djName) {
                return $p;
            }
        }
        return null;
    }

    public function add(RtmpPublisher $p): void
    {
        $this->live[] = $p;
    }

    public function hold(RtmpPublisher $p): void
    {
        $this->held[] = $p;
    }

    /** Takes a client off both lists; returns it as it was live, if it was. */
    public function remove(int $clientId): ?RtmpPublisher
    {
        $p = $this->live($clientId);
        $keep = static fn (RtmpPublisher $p): bool => $p->clientId !== $clientId;
        $this->live = array_values(array_filter($this->live, $keep));
        $this->held = array_values(array_filter($this->held, $keep));
        return $p;
    }

    /** Forgets every publisher, live or held; returns the live ones. @return list<RtmpPublisher> */
    public function clear(): array
    {
        $live = $this->live;
        $this->live = $this->held = [];
        return $live;
    }

    public function replace(RtmpPublisher $p): void
    {
        $this->live = array_map(static fn (RtmpPublisher $q): RtmpPublisher => $q->clientId === $p->clientId ? $p : $q, $this->live);
    }

    /** Forgets held clients whose publish_done never came (the bridge was down). */
    public function forgetHeldBefore(int $time): void
    {
        $this->held = array_values(array_filter($this->held, static fn (RtmpPublisher $p): bool => $p->since >= $time));
    }

    /** @param list<RtmpPublisher> $list */
    private static function find(array $list, int $clientId): ?RtmpPublisher
    {
        foreach ($list as $p) {
            if ($p->clientId === $clientId) {
                return $p;
            }
        }
        return null;
    }
}
