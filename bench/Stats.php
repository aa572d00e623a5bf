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

    /** CPU time (user + system) of this process so far, in microseconds. */
    public static function cpuMicroseconds(): int
    {
        $r = getrusage();
        return ($r['ru_utime.tv_sec'] + $r['ru_stime.tv_sec']) * 1_000_000 + $r['ru_utime.tv_usec'] + $r['ru_stime.tv_usec'];
    }

    /** CPU time (user + system) of another process so far, in microseconds (/proc, clock ticks of 1/100 s). */
    public static function processCpuMicroseconds(int $pid): int
    {
        $stat = (string) @file_get_contents("/proc/$pid/stat");
        $fields = explode(' ', substr($stat, (int) strrpos($stat, ')') + 2));
        return ((int) ($fields[11] ?? 0) + (int) ($fields[12] ?? 0)) * 10_000;
    }

    /** Peak and current resident set of this process, in KiB. */
    public static function rssKiB(): array
    {
        preg_match('/VmHWM:\s+(\d+)/', (string) file_get_contents('/proc/self/status'), $hwm);
        preg_match('/VmRSS:\s+(\d+)/', (string) file_get_contents('/proc/self/status'), $rss);
        return ['peak' => (int) ($hwm[1] ?? 0), 'now' => (int) ($rss[1] ?? 0)];
    }
}
