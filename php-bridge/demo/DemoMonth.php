<?php

declare(strict_types=1);

namespace StreamEvents\Demo;

use Random\Engine\Mt19937;
use StreamEvents\Actor;
use Random\Randomizer;

/**
 * A realistic month in the life of the demo panel, as the events the panel and
 * its stream servers would log: services started and restarted, DJs connecting
 * and taking over, AutoDJ resuming, mounts going up and down, config and title
 * changes, bitrate warnings, a bandwidth suspension and an expiry stop.
 *
 * Deterministic for a given seed; times are offsets from $nowMs so the month
 * always sits inside the store's 30-day retention window.
 */
final class DemoMonth
{
    /** The DJ whose name is an HTML payload: the pages must show it as text. */
    public const HOSTILE_DJ = '<img src=x onerror=alert(1)>';
    /** A DJ whose name overrides the text direction (U+202E): the pages must keep it from reordering the line. */
    public const BIDI_DJ = "DJ \u{202E}Mallory";

    private const MIN = 60_000;
    private const HOUR = 3_600_000;
    private const DAY = 86_400_000;

    private const DJS = [
        101 => ['DJ Alice', 'Marco "Bassline" Rossi', 'Kofi Mensah', 'Zoë Night'],
        102 => ['DJ Alice'],
        103 => ['Talkmaster Tom', 'Ana Beatriz'],
        104 => ['DJ Kenji', 'Sunny D', 'MC Brixton', 'Lena & Jo'],
        105 => ['DJ Kenji'],
        106 => ['Campus Crew', 'Professor Groove', 'Mia Chen'],
        107 => ['Archive Bot'],
        109 => ['Metro Morning Team', 'Jules Verner'],
        110 => ['Pastor Mike', 'Choir Live'],
        111 => ['WaveHost Promo DJ'],
        112 => ['Blue Note Betty', 'Sax Sam'],
        113 => ['Sunny D', 'Weekend Warriors'],
    ];
    /** Metro TV One's presenters; their stream keys are in demo/stream-keys.json. */
    private const TV_PRESENTERS = ['Evening News Desk', 'Weather with Priya', 'Metro Sports Live'];
    private const TITLES = [
        'Daft Punk - One More Time', 'Nina Simone - Feeling Good', 'Massive Attack - Teardrop',
        'Bonobo - Kerala', 'Miles Davis - So What', 'Röyksopp - Eple', 'Fela Kuti - Water No Get Enemy',
        'Khruangbin - Maria También', 'Aphex Twin - Xtal', 'Sade - No Ordinary Love',
        'Caribou - Odessa', 'Burial - Archangel', 'Moderat - A New Error', 'Air - La Femme d\'Argent',
        'Kraftwerk - Computer Love', 'Jungle - Busy Earnin\'', 'Little Dragon - Ritual Union',
        'Nils Frahm - Says', 'Ezra Collective - Victory Dance', 'Portishead - Roads',
    ];

    private Randomizer $rng;
    /** @var list<array<string,mixed>> */
    private array $events = [];
    /** @var array<int,string> account id => name */
    private array $accountNames = [];

    /** @param array{accounts: list<array<string,mixed>>, services: list<array<string,mixed>>} $directory */
    public function __construct(private readonly array $directory, private readonly int $nowMs, int $seed = 20261127)
    {
        $this->rng = new Randomizer(new Mt19937($seed));
        foreach ($directory['accounts'] as $a) {
            $this->accountNames[$a['id']] = $a['name'];
        }
    }

    /** @return list<array<string,mixed>> every event of the month, oldest first */
    public function events(): array
    {
        $this->events = [];
        $start = $this->nowMs - 29 * self::DAY;
        foreach ($this->directory['services'] as $service) {
            $this->service($service, $start + $this->rng->getInt(0, 6 * self::HOUR));
        }
        $this->hostileSession();
        $this->recentHour();
        // Nothing in the future, nothing outside the window.
        $this->events = array_values(array_filter($this->events,
            fn (array $e): bool => $e['time'] <= $this->nowMs - self::MIN && $e['time'] > $start));
        usort($this->events, static fn (array $a, array $b): int => $a['time'] <=> $b['time']);
        return $this->events;
    }

    private function service(array $s, int $t): void
    {
        $id = $s['id'];
        $owner = self::user($s['ownerId'], $this->accountNames[$s['ownerId']]);
        // The month ends early for the suspended and the expired service.
        $end = match (true) {
            $s['removed'] ?? false => $this->nowMs - 9 * self::DAY - 2 * self::HOUR,
            $s['status'] === 'suspended' => $this->nowMs - 3 * self::DAY - 5 * self::HOUR,
            $s['status'] === 'expired' => $this->nowMs - 5 * self::DAY - 9 * self::HOUR,
            default => $this->nowMs,
        };
        $this->add($t, 'service.start', $id, $owner);
        $hasAutoDj = in_array($s['kind'], ['autodj', 'icecast'], true) && $id % 2 === 0 || $s['kind'] === 'autodj';
        if ($s['kind'] === 'tv') {
            $this->tvMonth($id, $owner, $t, $end);
        } else {
            if ($hasAutoDj) {
                $this->add($t + 20_000, 'autodj.on_air', $id, self::system(), details: ['trigger' => 'startup']);
                $this->mount($t + 25_000, true, $id, '/autodj', null);
            }
            $this->radioMonth($s, $owner, $t + self::HOUR, $end, $hasAutoDj);
        }
        $this->adminMonth($s, $owner, $t, $end);
        // Shows and chores that would run past the service's end did not happen.
        $this->events = array_values(array_filter($this->events,
            static fn (array $e): bool => $e['serviceId'] !== $id || $e['time'] < $end));
        if ($s['removed'] ?? false) {
            $this->add($end - 30_000, 'service.stop', $id, $owner);
            $this->add($end, 'service.remove', $id, $owner);
        } elseif ($s['status'] === 'suspended') {
            $this->bandwidthSuspension($id, $end);
        } elseif ($s['status'] === 'expired') {
            $this->add($end, 'service.stop', $id, self::system(), details: ['reason' => 'account_expired']);
        }
    }

    /** Evenings of DJ shows; AutoDJ (where there is one) plays in between. */
    private function radioMonth(array $s, array $owner, int $t, int $end, bool $hasAutoDj): void
    {
        $id = $s['id'];
        $djs = self::DJS[$id] ?? ['Guest DJ'];
        $server = $s['kind'] === 'shoutcast' ? 'sc.demo.example' : 'ice.demo.example';
        $port = $s['kind'] === 'shoutcast' ? 8010 + $id % 50 : 8000;
        for ($day = $this->dayStart($t); $day < $end; $day += self::DAY) {
            // AutoDJ-only services just tell the world what they play.
            if ($hasAutoDj) {
                for ($h = 0; $h < 24; $h += $this->rng->getInt(3, 6)) {
                    $this->add($day + $h * self::HOUR + $this->rng->getInt(0, 50) * self::MIN, 'service.title_update', $id,
                        self::system(), details: ['title' => $this->pick(self::TITLES), 'reason' => 'autodj_playlist']);
                }
            }
            $shows = $s['kind'] === 'autodj' && count($djs) === 1 ? $this->rng->getInt(0, 1) : $this->rng->getInt(0, 3);
            $at = $day + $this->rng->getInt(16, 19) * self::HOUR + $this->rng->getInt(0, 59) * self::MIN;
            $live = null;
            for ($i = 0; $i < $shows && $at < $end; $i++) {
                $dj = $this->pick($djs);
                $ip = $this->ip($dj);
                // A DJ who connects while another is on air takes the stream over.
                $takeover = $live !== null && $live !== $dj;
                if ($live === $dj) {
                    break;
                }
                $this->add($at, 'dj.connect', $id, self::dj($dj), dj: $dj, ip: $ip, takeover: $takeover || $hasAutoDj);
                if ($takeover) {
                    $this->add($at + 2_000, 'dj.disconnect', $id, self::dj($live), dj: $live, ip: $this->ip($live),
                        details: ['reason' => 'taken_over']);
                } else {
                    $this->mount($at + 1_000, true, $id, $s['kind'] === 'shoutcast' ? '/stream' : '/live', $ip, $server, $port);
                }
                $this->add($at + 4_000, 'dj.on_air', $id, self::dj($dj), dj: $dj, ip: $ip, takeover: $takeover || $hasAutoDj);
                $length = $this->rng->getInt(45, 150) * self::MIN;
                for ($m = $this->rng->getInt(3, 8); $m < $length / self::MIN; $m += $this->rng->getInt(12, 25)) {
                    $this->add($at + $m * self::MIN + $this->rng->getInt(0, 59_000), 'service.title_update', $id, self::dj($dj),
                        dj: $dj, details: ['title' => $this->pick(self::TITLES)]);
                }
                if ($this->rng->getInt(1, 100) <= 6) {
                    // Too loud for the package: the system warns, the owner kicks.
                    $this->add($at + 20 * self::MIN, 'service.bitrate_warning', $id, self::system(),
                        details: ['bitrate' => 320, 'limit' => 128, 'reason' => 'bitrate_limit']);
                    $this->add($at + 26 * self::MIN, 'dj.kicked', $id, $owner, dj: $dj, ip: $ip);
                    $length = 26 * self::MIN + 5_000;
                } elseif ($this->rng->getInt(1, 100) <= 25 && $i + 1 < $shows) {
                    // The next DJ arrives early and takes over.
                    $live = $dj;
                    $at += $length - $this->rng->getInt(1, 10) * self::MIN;
                    continue;
                } else {
                    $this->add($at + $length, 'dj.disconnect', $id, self::dj($dj), dj: $dj, ip: $ip);
                }
                $this->mount($at + $length + 1_000, false, $id, $s['kind'] === 'shoutcast' ? '/stream' : '/live', $ip, $server, $port);
                if ($hasAutoDj) {
                    $this->add($at + $length + 3_000, 'autodj.on_air', $id, self::system(), details: ['trigger' => 'dj_disconnect']);
                }
                $live = null;
                $at += $length + $this->rng->getInt(10, 90) * self::MIN;
            }
            if ($live !== null) {
                $this->add($at + self::HOUR, 'dj.disconnect', $id, self::dj($live), dj: $live, ip: $this->ip($live));
                $this->mount($at + self::HOUR + 1_000, false, $id, $s['kind'] === 'shoutcast' ? '/stream' : '/live',
                    $this->ip($live), $server, $port);
                if ($hasAutoDj) {
                    $this->add($at + self::HOUR + 3_000, 'autodj.on_air', $id, self::system(), details: ['trigger' => 'dj_disconnect']);
                }
            }
        }
    }

    /**
     * A TV station on nginx-rtmp, as its hook logs it: the playout publishes
     * from morning to night (source.start / source.stop), presenters go live
     * over it (the news, a weather slot that takes over from the news, some
     * sport), an encoder now and then drops and reconnects, the owner kicks a
     * show that overruns, and a leaked old stream key goes on air until the
     * owner kicks it. The owner also switches playlists from the panel.
     */
    private function tvMonth(int $id, array $owner, int $t, int $end): void
    {
        [$news, $weather, $sport] = self::TV_PRESENTERS;
        for ($day = $this->dayStart($t) + self::DAY; $day < $end; $day += self::DAY) {
            $on = $day + 6 * self::HOUR + $this->rng->getInt(0, 20) * self::MIN;
            $this->tv($on, 'source.start', $id, null, details: ['reason' => 'rtmp_publish']);
            if ($this->rng->getInt(1, 100) <= 15) {
                $this->add($on + $this->rng->getInt(3, 10) * self::HOUR, 'source.restart', $id, $owner,
                    details: ['playlist' => 'evening-news']);
            }
            if ($this->rng->getInt(1, 100) <= 8) {
                // An old key that leaked: on air until the owner notices.
                $at = $on + $this->rng->getInt(2, 9) * self::HOUR;
                $stranger = 'Unknown publisher …' . $this->pick(['7f3e', 'a01c', '9d42']);
                $ip = sprintf('198.51.100.%d', $this->rng->getInt(150, 250));
                $this->tvShow($id, $stranger, $at, $this->rng->getInt(3, 12) * self::MIN, $ip, [$owner, 'unknown stream key']);
            }
            $newsAt = $day + 18 * self::HOUR + $this->rng->getInt(0, 150_000);
            $newsEnd = $newsAt + $this->rng->getInt(28, 40) * self::MIN;
            if ($this->rng->getInt(1, 100) <= 85) {
                $this->tvShow($id, $news, $newsAt, $newsEnd - $newsAt, $this->ip($news));
                if ($this->rng->getInt(1, 100) <= 60) {
                    // The weather slot takes over from the news desk, which is on air again after it.
                    $w = $newsAt + 20 * self::MIN + $this->rng->getInt(0, 40_000);
                    $this->tv($w, 'dj.connect', $id, $weather, $this->ip($weather));
                    $this->tv($w + 3_000, 'dj.on_air', $id, $weather, $this->ip($weather), takeover: true);
                    $this->tv($w + 6 * self::MIN, 'dj.disconnect', $id, $weather, $this->ip($weather));
                    $this->tv($w + 6 * self::MIN, 'dj.on_air', $id, $news, $this->ip($news));
                }
            }
            if ($this->rng->getInt(1, 100) <= 30) {
                $length = $this->rng->getInt(90, 130) * self::MIN;
                // Overrunning into the late news: the owner takes it off.
                $kick = $this->rng->getInt(1, 100) <= 15 ? [$owner, 'overran its slot'] : null;
                $this->tvShow($id, $sport, $day + 20 * self::HOUR - $this->rng->getInt(0, 300_000), $length, $this->ip($sport), $kick);
            }
            $off = $day + 25 * self::HOUR + $this->rng->getInt(0, 30) * self::MIN;
            $this->tv($off, 'source.stop', $id, null, details: ['reason' => 'rtmp_publish_done']);
        }
    }

    /** A presenter live over the playout, from connect to the playlist resuming; a dropped encoder reconnects. */
    private function tvShow(int $id, string $dj, int $at, int $length, string $ip, ?array $kickedBy = null): void
    {
        $this->tv($at, 'dj.connect', $id, $dj, $ip);
        $this->tv($at + 3_000, 'dj.on_air', $id, $dj, $ip, takeover: true);
        if ($kickedBy === null && $this->rng->getInt(1, 100) <= 10) {
            $drop = $at + $this->rng->getInt(5, 20) * self::MIN;
            $this->tv($drop, 'dj.disconnect', $id, $dj, $ip);
            $this->tv($drop, 'autodj.on_air', $id, null, details: ['trigger' => 'dj_disconnect']);
            $this->tv($drop + 25_000, 'dj.connect', $id, $dj, $ip);
            $this->tv($drop + 27_000, 'dj.on_air', $id, $dj, $ip, takeover: true);
        }
        if ($kickedBy !== null) {
            [$by, $reason] = $kickedBy;
            $this->add($at + $length, 'dj.kicked', $id, $by, dj: $dj, ip: $ip,
                details: ['reason' => $reason, 'app' => 'live', 'protocol' => 'rtmp']);
        } else {
            $this->tv($at + $length, 'dj.disconnect', $id, $dj, $ip);
        }
        $this->tv($at + $length, 'autodj.on_air', $id, null, details: ['trigger' => 'dj_disconnect']);
    }

    /** An event as the RTMP hook logs it: by the presenter, or the system for the playout (which runs on the TV server). */
    private function tv(int $time, string $type, int $id, ?string $dj, ?string $ip = null, bool $takeover = false, array $details = []): void
    {
        $this->add($time, $type, $id, $dj !== null ? self::dj($dj) : self::system(), dj: $dj, ip: $ip ?? '127.0.0.1',
            takeover: $dj !== null ? $takeover : null, details: $details + ['app' => 'live', 'protocol' => 'rtmp']);
    }

    /** What owners, resellers, the admin, billing (API) and the system do to a service. */
    private function adminMonth(array $s, array $owner, int $t, int $end): void
    {
        $id = $s['id'];
        $reseller = null;
        foreach ($this->directory['accounts'] as $a) {
            if ($a['id'] === $s['ownerId'] && $a['resellerId'] !== null) {
                $reseller = self::user($a['resellerId'], $this->accountNames[$a['resellerId']]);
            }
        }
        $admin = self::user(1, $this->accountNames[1]);
        $changes = [['bitrate'], ['maxListeners'], ['password'], ['genre', 'description'], ['autodjPlaylist'], ['mountpoints']];
        for ($at = $t + self::DAY; $at < $end; $at += $this->rng->getInt(2, 6) * self::DAY + $this->rng->getInt(0, 23) * self::HOUR) {
            switch ($this->rng->getInt(1, 7)) {
                case 1:
                case 2:
                    $this->add($at, 'service.config_update', $id, $owner, details: ['changes' => $this->pick($changes)]);
                    $this->add($at + 30_000, 'service.restart', $id, $owner);
                    break;
                case 3:
                    $who = $reseller ?? $admin;
                    $this->add($at, 'service.config_update', $id, $who, details: ['changes' => ['maxListeners', 'bitrateLimit']]);
                    break;
                case 4:
                    $this->add($at, 'service.restart', $id, self::system(), details: ['reason' => 'crash_recovery']);
                    break;
                case 5:
                    // Billing system upgrading the package through the API.
                    $this->add($at, 'service.config_update', $id, Actor::api(9001, 'Billing (WHMCS)')->toArray(),
                        details: ['changes' => ['maxListeners', 'diskQuota']]);
                    break;
                case 6:
                    $this->add($at, 'service.stop', $id, $owner);
                    $this->add($at + $this->rng->getInt(2, 40) * self::MIN, 'service.start', $id, $owner);
                    break;
                default:
                    $this->add($at, 'service.restart', $id, $admin);
            }
        }
    }

    private function bandwidthSuspension(int $id, int $at): void
    {
        for ($w = 3; $w >= 1; $w--) {
            $this->add($at - $w * 7 * self::HOUR, 'service.bitrate_warning', $id, self::system(),
                details: ['bitrate' => 256, 'limit' => 128, 'reason' => 'bitrate_limit']);
        }
        $this->add($at, 'service.suspend', $id, self::system(),
            details: ['reason' => 'bandwidth', 'used' => 512, 'limit' => 500, 'unit' => 'GB']);
        $this->add($at + 2_000, 'service.stop', $id, self::system(), details: ['reason' => 'suspended']);
    }

    /**
     * The hostile DJs had a late show on Radio Nova three days ago: their names
     * prove the pages escape and isolate text, a search finds them, and they
     * are not the first thing a visitor of the demo sees.
     */
    private function hostileSession(): void
    {
        $dj = self::HOSTILE_DJ;
        $at = $this->nowMs - 3 * self::DAY - 3 * self::HOUR;
        $this->add($at, 'dj.connect', 101, self::dj($dj), dj: $dj, ip: '203.0.113.66', takeover: false);
        $this->mount($at + 1_000, true, 101, '/live', '203.0.113.66', 'ice.demo.example', 8000);
        $this->add($at + 4_000, 'dj.on_air', 101, self::dj($dj), dj: $dj, ip: '203.0.113.66', takeover: false);
        $this->add($at + 9 * self::MIN, 'service.title_update', 101, self::dj($dj), dj: $dj,
            details: ['title' => '<script>alert("title")</script> - Live Set']);
        $bidi = self::BIDI_DJ;
        $this->add($at + 10 * self::MIN, 'dj.connect', 101, self::dj($bidi), dj: $bidi, ip: '203.0.113.77', takeover: false);
        $this->add($at + 40 * self::MIN, 'dj.disconnect', 101, self::dj($dj), dj: $dj, ip: '203.0.113.66');
        $this->add($at + 40 * self::MIN, 'dj.disconnect', 101, self::dj($bidi), dj: $bidi, ip: '203.0.113.77');
        $this->mount($at + 41 * self::MIN, false, 101, '/live', '203.0.113.66', 'ice.demo.example', 8000);
    }

    /** What a visitor sees first: the last hour of an ordinary evening on the panel. */
    private function recentHour(): void
    {
        $dj = 'DJ Alice';
        $ip = $this->ip($dj);
        $at = $this->nowMs - 50 * self::MIN;
        $this->add($at, 'dj.connect', 101, self::dj($dj), dj: $dj, ip: $ip, takeover: false);
        $this->mount($at + 1_000, true, 101, '/live', $ip, 'ice.demo.example', 8000);
        $this->add($at + 4_000, 'dj.on_air', 101, self::dj($dj), dj: $dj, ip: $ip, takeover: false);
        foreach ([6, 17, 29, 41] as $i => $minute) {
            $this->add($at + $minute * self::MIN, 'service.title_update', 101, self::dj($dj), dj: $dj,
                details: ['title' => self::TITLES[$i * 5 % count(self::TITLES)]]);
        }
        $owner = self::user(5, $this->accountNames[5]);
        $this->add($this->nowMs - 22 * self::MIN, 'service.config_update', 104, $owner, details: ['changes' => ['genre', 'description']]);
        $this->add($this->nowMs - 21 * self::MIN, 'service.restart', 104, $owner);
    }

    private function mount(int $at, bool $up, int $id, string $mount, ?string $ip, string $server = 'ice.demo.example', int $port = 8000): void
    {
        $this->add($at, $up ? 'mount.connect' : 'mount.disconnect', $id, self::system(), ip: $ip,
            details: ['mount' => $mount, 'server' => $server, 'port' => $port, 'reason' => 'stream_server']);
    }

    private function add(int $time, string $type, int $serviceId, array $actor, ?string $dj = null, ?string $ip = null,
        ?bool $takeover = null, array $details = []): void
    {
        $event = ['type' => $type, 'serviceId' => $serviceId, 'time' => $time, 'actor' => $actor];
        if ($dj !== null) {
            $event['djName'] = $dj;
        }
        if ($ip !== null) {
            $event['sourceIp'] = $ip;
        }
        if ($takeover !== null || str_starts_with($type, 'dj.')) {
            $event['takeover'] = (bool) $takeover;
        }
        if ($details !== []) {
            $event['details'] = $details;
        }
        $this->events[] = $event;
    }

    private function dayStart(int $t): int
    {
        return intdiv($t, self::DAY) * self::DAY;
    }

    /** A stable address per DJ (documentation ranges), sometimes IPv6. */
    private function ip(string $dj): string
    {
        $h = crc32($dj);
        return $h % 5 === 0 ? sprintf('2001:db8:%x::%x', $h % 0xffff, ($h >> 8) % 0xfff)
            : sprintf('%s.%d', ['203.0.113', '198.51.100', '192.0.2'][$h % 3], 10 + $h % 240);
    }

    private function pick(array $list): mixed
    {
        return $list[$this->rng->getInt(0, count($list) - 1)];
    }

    private static function user(int $id, string $name): array
    {
        return Actor::user($id, $name)->toArray();
    }

    private static function dj(string $name): array
    {
        return Actor::dj($name)->toArray();
    }

    private static function system(): array
    {
        return Actor::system()->toArray();
    }
}
