<?php

declare(strict_types=1);

// Moving a panel's SQLite store into a Galera cluster (the copy command), and the check afterwards.
//
// Usage: galera_copy.php source STORE.sqlite N
//   A store of N events (ids 1..N) over the last 20 days, in batches, with a few delivery keys.
// Usage: galera_copy.php verify STORE.sqlite [--since DAY_MS] URL...
//   On every node: the export holds ids 1..N, each once, with the source's events per day; the
//   admin page's total is N, and each day's page total equals the source's count of that day.
//   With --since (after a prune): the same for the source's events from that day on.

require __DIR__ . '/lib.php';

use StreamEvents\EventLog;
use StreamEvents\Principal;

/** Events per UTC day start (ms) => count. */
function per_day(iterable $timestamps): array
{
    $days = [];
    foreach ($timestamps as $ts) {
        $day = $ts - $ts % DAY_MS;
        $days[$day] = ($days[$day] ?? 0) + 1;
    }
    ksort($days);
    return $days;
}

if ($argv[1] === 'source') {
    [, , $path, $n] = $argv;
    $n = (int) $n;
    $log = rel_open($path, ['retentionDays' => 30]);
    $span = 20 * DAY_MS;
    $start = rel_now_ms() - $span;
    for ($done = 0; $done < $n;) {
        $batch = [];
        for ($i = 0; $i < 20_000 && $done < $n; $i++, $done++) {
            $e = rel_event(100 + $done % 7, "copy-$done", $done, $start + intdiv($span, $n) * $done);
            $batch[] = $done % 1000 === 7 ? $e + ['deliveryKey' => "copy/$done"] : $e;
        }
        $log->logBatch($batch);
    }
    $log->close();
    exit(0);
}

if ($argv[1] === 'verify') {
    [, , $path] = $argv;
    $afterPrune = $argv[3] === '--since';
    $since = $afterPrune ? (int) $argv[4] : 0;
    $source = new PDO("sqlite:$path");
    $expectedIds = array_map('intval', $source->query("SELECT id FROM event WHERE ts >= $since ORDER BY id")->fetchAll(PDO::FETCH_COLUMN));
    $n = count($expectedIds);
    $expected = per_day((function () use ($source, $since) {
        foreach ($source->query("SELECT ts FROM event WHERE ts >= $since") as [$ts]) {
            yield (int) $ts;
        }
    })());
    $failures = [];
    foreach (array_slice($argv, $afterPrune ? 5 : 3) as $node => $url) {
        $name = 'node ' . ($node + 1);
        $log = EventLog::open($url);
        $ids = [];
        $stamps = [];
        rel_export_each($log, static function (array $row) use (&$ids, &$stamps): void {
            $ids[] = $row['id'];
            $stamps[] = $row['timestamp'];
        });
        sort($ids);
        if ($ids !== $expectedIds) {
            $failures[] = "$name: the export holds " . count($ids) . " events, not the source's $n each once";
        }
        if (per_day($stamps) !== $expected) {
            $failures[] = "$name: events per day differ from the source's";
        }
        $total = $log->query(Principal::admin(1), ['perPage' => 1])['total'];
        if ($total !== $n) {
            $failures[] = "$name: the page total is $total, not $n";
        }
        foreach ($expected as $day => $count) {
            $dayTotal = $log->query(Principal::admin(1), ['from' => $day, 'to' => $day + DAY_MS, 'perPage' => 1])['total'];
            if ($dayTotal !== $count) {
                $failures[] = "$name: the total of the day " . gmdate('Y-m-d', intdiv($day, 1000)) . " is $dayTotal, not $count";
            }
        }
        $log->close();
        echo "  $name: $n events, the source's ids each once, " . count($expected) . " days' totals exact\n";
    }
    foreach ($failures as $f) {
        echo "  FAIL $f\n";
    }
    exit($failures === [] ? 0 : 1);
}

fwrite(STDERR, "usage: galera_copy.php source STORE N | verify STORE [--since DAY_MS] URL...\n");
exit(2);
