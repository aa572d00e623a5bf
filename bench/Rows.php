<?php

declare(strict_types=1);

namespace StreamEvents\Bench;

/**
 * The benchmark's deterministic data: a directory of ~1,000 services owned by
 * customers of 20 resellers, and events spread evenly over a time span. The
 * same seed gives the same rows to all three sides: as event arrays for
 * el_log, and as the `event` columns (with the message and directory snapshot
 * a panel would write itself) for the PDO peer and the C limit.
 */
final class Rows
{
    public const ADMIN = 1;
    public const RESELLERS = 20;            // ids 2..21
    public const CUSTOMERS_PER_RESELLER = 25; // ids 100.., 2 services each
    public const SERVICES = 1000;           // ids 1..1000: 50 per reseller
    /** The bench's text searches (`q`), one of each kind a panel user types, as these rows hold them. */
    public const SEARCHES = ['a DJ name' => 'dj17', 'an IP address' => '10.128.7.', 'a word of a song title' => 'Song 4242', 'a mount' => '/live'];

    /** [type id, code, category, weight] — title updates and DJ traffic dominate, as on a real host. */
    private const TYPES = [
        ['service.title_update', 8, 'service', 30], ['dj.connect', 30, 'dj', 10], ['dj.disconnect', 31, 'dj', 10],
        ['dj.on_air', 32, 'dj', 10], ['dj.kicked', 33, 'dj', 1], ['autodj.on_air', 40, 'autodj', 12],
        ['mount.connect', 50, 'mount', 6], ['mount.disconnect', 51, 'mount', 6], ['service.start', 1, 'service', 3],
        ['service.stop', 2, 'service', 3], ['service.restart', 3, 'service', 3], ['service.config_update', 7, 'service', 2],
        ['service.bitrate_warning', 9, 'service', 2], ['source.start', 20, 'source', 1], ['source.stop', 21, 'source', 1],
    ];
    private const ACTOR = ['user' => 1, 'dj' => 2, 'api' => 3, 'system' => 4];

    /** @var list<int> index into TYPES per weight unit */
    private array $wheel = [];

    public function __construct(private readonly int $seed)
    {
        foreach (self::TYPES as $i => $t) {
            array_push($this->wheel, ...array_fill(0, $t[3], $i));
        }
    }

    public static function customerOf(int $serviceId): int
    {
        return 100 + intdiv($serviceId - 1, 2);
    }

    public static function resellerOf(int $customerId): int
    {
        return 2 + intdiv($customerId - 100, self::CUSTOMERS_PER_RESELLER);
    }

    /** Directory as putDirectory() takes it: [accounts, services]. */
    public static function directory(): array
    {
        $accounts = [['id' => self::ADMIN, 'role' => 'admin', 'name' => 'Admin']];
        for ($r = 0; $r < self::RESELLERS; $r++) {
            $accounts[] = ['id' => 2 + $r, 'role' => 'reseller', 'name' => 'Reseller ' . (2 + $r)];
        }
        for ($c = 100; $c < 100 + self::SERVICES / 2; $c++) {
            $accounts[] = ['id' => $c, 'role' => 'customer', 'name' => "Customer $c", 'resellerId' => self::resellerOf($c)];
        }
        $services = [];
        for ($s = 1; $s <= self::SERVICES; $s++) {
            $services[] = ['id' => $s, 'name' => "Radio $s", 'ownerId' => self::customerOf($s), 'kind' => $s % 3 ? 'shoutcast' : 'icecast'];
        }
        return [$accounts, $services];
    }

    /**
     * $count events with timestamps spread evenly over [$startMs, $startMs + $spanMs).
     *
     * @return \Generator<int, array{0: array, 1: list<int|string|null>}> [event for el_log, event columns]
     */
    public function generate(int $count, int $startMs, int $spanMs): \Generator
    {
        mt_srand($this->seed);
        $wheelSize = count($this->wheel);
        for ($i = 0; $i < $count; $i++) {
            [$type, $code] = self::TYPES[$this->wheel[mt_rand(0, $wheelSize - 1)]];
            $service = mt_rand(1, self::SERVICES);
            $customer = self::customerOf($service);
            $ts = $startMs + intdiv($i * $spanMs, $count);
            $dj = 'dj' . mt_rand(1, 40);
            $ip = '10.' . mt_rand(0, 255) . '.' . mt_rand(0, 255) . '.' . mt_rand(1, 254);
            $user = ['type' => 'user', 'id' => $customer, 'name' => "Customer $customer"];
            $event = ['type' => $type, 'serviceId' => $service, 'time' => $ts];
            $details = [];
            switch ($type) {
                case 'service.title_update':
                    $event['actor'] = ['type' => 'api', 'id' => 7, 'name' => 'autodj'];
                    $details = ['title' => 'Artist ' . mt_rand(1, 500) . ' - Song ' . mt_rand(1, 5000)];
                    $message = 'API client autodj set the song title to "' . $details['title'] . '"';
                    break;
                case 'dj.connect':
                    $event += ['djName' => $dj, 'sourceIp' => $ip];
                    $message = "DJ $dj connected from $ip";
                    break;
                case 'dj.disconnect':
                    $event['djName'] = $dj;
                    $message = "DJ $dj disconnected";
                    break;
                case 'dj.on_air':
                    $event += ['djName' => $dj, 'takeover' => false];
                    $message = "DJ $dj is on air";
                    break;
                case 'dj.kicked':
                    $event += ['djName' => $dj, 'actor' => $user];
                    $message = "DJ $dj was kicked by Customer $customer";
                    break;
                case 'autodj.on_air':
                    $details = ['trigger' => mt_rand(0, 1) ? 'startup' : 'dj_disconnect'];
                    $message = $details['trigger'] === 'startup' ? 'AutoDJ is on air after startup' : 'AutoDJ resumed after the DJ disconnected';
                    break;
                case 'mount.connect':
                case 'mount.disconnect':
                    $details = ['mount' => '/live', 'server' => 'sc' . ($service % 40) . '.example.net', 'port' => 8000 + $service];
                    $event['sourceIp'] = $ip;
                    $verb = $type === 'mount.connect' ? 'went up' : 'went down';
                    $message = "Mount /live $verb on {$details['server']}:{$details['port']} from $ip";
                    break;
                case 'service.config_update':
                    $event['actor'] = $user;
                    $details = ['changes' => ['bitrate', 'max_listeners']];
                    $message = "Customer $customer updated the configuration (bitrate, max_listeners)";
                    break;
                case 'service.bitrate_warning':
                    $details = ['bitrate' => 320, 'limit' => 128];
                    $message = 'Bitrate 320 kbps exceeds the 128 kbps limit';
                    break;
                default: // service.start/stop/restart, source.start/stop: a customer's action
                    $event['actor'] = $user;
                    $verb = ['service.start' => 'started the service', 'service.stop' => 'stopped the service',
                        'service.restart' => 'restarted the service', 'source.start' => 'started the source',
                        'source.stop' => 'stopped the source'][$type];
                    $message = "Customer $customer $verb";
            }
            if ($details !== []) {
                $event['details'] = $details;
            }
            $actor = $event['actor'] ?? (str_starts_with($type, 'dj.') ? ['type' => 'dj', 'id' => null, 'name' => $dj] : ['type' => 'system', 'id' => null, 'name' => null]);
            $columns = [
                $ts, $code, $service, self::ACTOR[$actor['type']], $actor['id'], $actor['name'],
                $event['djName'] ?? null, $event['sourceIp'] ?? null,
                isset($event['takeover']) ? (int) $event['takeover'] : null,
                $details === [] ? null : json_encode($details, JSON_UNESCAPED_SLASHES),
                "Radio $service", $customer, "Customer $customer", $message,
            ];
            yield [$event, $columns];
        }
    }

    /**
     * The page cells both benches time (page + exact total), for a store
     * whose newest event is just before $endMs: [label, role, id, filter].
     */
    public static function pageCells(int $endMs): array
    {
        $day = 86_400_000;
        return [
            ['admin, all, 30 days', 'admin', self::ADMIN, ['from' => $endMs - 30 * $day]],
            ['admin, one category, 7 days', 'admin', self::ADMIN, ['category' => 'dj', 'from' => $endMs - 7 * $day]],
            ['reseller (50 services), one category, 30 days', 'reseller', 2, ['category' => 'dj', 'from' => $endMs - 30 * $day]],
            ['customer, one service, 7 days', 'customer', 100, ['serviceId' => 1, 'from' => $endMs - 7 * $day]],
            ['page 1,000 of admin, all, 30 days', 'admin', self::ADMIN, ['from' => $endMs - 30 * $day, 'page' => 1000]],
        ];
    }

    /** Searches of views that hold a small part of the store: [label, role, id, filter]. */
    public static function narrowSearches(int $endMs): array
    {
        $day = 86_400_000;
        return [
            ['by a customer (2 services), 30 days', 'customer', 100, ['from' => $endMs - 30 * $day, 'q' => 'dj17']],
            ['by a reseller (50 services), 7 days', 'reseller', 2, ['from' => $endMs - 7 * $day, 'q' => 'Song 4242']],
            ['by the admin, last 24 hours', 'admin', self::ADMIN, ['from' => $endMs - $day, 'q' => 'dj17']],
        ];
    }

    /** Writes $count rows as the C limit reads them: tab separated, \N for NULL. */
    public function writeTsv(string $path, int $count, int $startMs, int $spanMs): void
    {
        $out = fopen($path, 'wb') ?: throw new \RuntimeException("cannot write $path");
        foreach ($this->generate($count, $startMs, $spanMs) as [, $columns]) {
            fwrite($out, implode("\t", array_map(static fn ($v) => $v ?? '\N', $columns)) . "\n");
        }
        fclose($out);
    }
}
