<?php

declare(strict_types=1);

namespace StreamEvents\Bench;

final class Stats
{
    /** Nearest-rank percentile of $values (any order); $p in 0..100. */
    public static function percentile(array $values, float $p): float
    {
        if ($values === []) {
            return NAN;
        }
        sort($values);
        $rank = (int) ceil($p / 100 * count($values));
        return (float) $values[max(0, min(count($values) - 1, $rank - 1))];
    }

    public static function median(array $values): float
    {
        return self::percentile($values, 50);
    }

    /** Peak and current resident set of this process, in KiB. */
    public static function rssKiB(): array
    {
        preg_match('/VmHWM:\s+(\d+)/', (string) file_get_contents('/proc/self/status'), $hwm);
        preg_match('/VmRSS:\s+(\d+)/', (string) file_get_contents('/proc/self/status'), $rss);
        return ['peak' => (int) ($hwm[1] ?? 0), 'now' => (int) ($rss[1] ?? 0)];
    }
}
