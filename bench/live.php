<?php

declare(strict_types=1);

/*
 * `make bench MODE=live` (bench/run.sh live): what open Stream Events pages
 * cost the server. 1,000 simulated pages (bench/LivePages.php) each load
 * their view and then poll it every 2 s as the page script does (after=
 * with If-None-Match), against PHP-FPM with php.ini.example's preload
 * (bench/live-front.php, 4 static workers on a unix socket, as nginx talks
 * to FPM), on a store of EVENTS events. Each run has four phases:
 *
 *   quiet    the pages poll, nothing is logged: every poll is a 304
 *   steady   the pages poll while 2 processes log 10 events a second each (a busy panel)
 *   alone    2 processes log one event a ms each (bench/worker.php logloop), no pages
 *   busy     the pages poll while those 2 go on logging
 *
 * and reports per polling phase the polls per second, poll latency as the
 * pages see it and as FPM timed it (its access log), the workers' CPU per
 * poll (from /proc), and el_log's p99 in each phase with loggers. Figures are
 * medians over RUNS runs. Everything runs on this machine (2 cores shared by
 * FPM, the loggers and this load generator): read the figures as an upper
 * bound of a dedicated server's cost.
 *
 *   php bench/live.php WORKDIR [EVENTS=1000000] [RUNS=3] [PAGES=1000]
 *
 * Bounded: each phase has a fixed length (below), the store is built once
 * (kept in WORKDIR), and everything it starts is stopped when it ends or is
 * interrupted. Each run works on a fresh copy of that store (in
 * WORKDIR/tmp): the loggers add a run's worth of events, all of today, and
 * leave a large WAL that the next run's readers would have to go through.
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\LivePages;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;
use StreamEvents\Tests\PhpFpm;

require __DIR__ . '/bootstrap.php';
require __DIR__ . '/LivePages.php';
foreach (['Fixture', 'ChildProcess', 'PreloadIni', 'FastCgi', 'PhpFpm'] as $support) {
    require __DIR__ . "/../php-bridge/tests/$support.php";
}

const SEED = 20261127;
const WARM_S = 3;      // one interval and a half: every page has polled once before measuring
const MEASURE_S = 20;
const ALONE_S = 10;
const WORKERS = 4;

[, $work, $events, $runs, $pageCount] = $argv + [null, null, '1000000', '3', '1000'];
if ($work === null || !ctype_digit($events) || !ctype_digit($runs) || !ctype_digit($pageCount)) {
    fwrite(STDERR, "usage: php bench/live.php WORKDIR [EVENTS] [RUNS] [PAGES]\n");
    exit(2);
}
[$events, $runs, $pageCount] = [(int) $events, (int) $runs, (int) $pageCount];

function say(string $s): void
{
    fwrite(STDERR, '[' . gmdate('H:i:s') . "] $s\n");
}

// Interrupted: exit, so that shutdown stops the loggers and destructors stop FPM.
pcntl_async_signals(true);
foreach ([SIGINT, SIGTERM] as $signal) {
    pcntl_signal($signal, static fn () => exit(130));
}
$children = [];
register_shutdown_function(static function () use (&$children): void {
    foreach ($children as $p) {
        if (is_resource($p) && proc_get_status($p)['running']) {
            proc_terminate($p);
        }
    }
});

// --- The store: EVENTS events over the last 30 days, built once; each run gets a copy -----------
$built = "$work/live-$events.sqlite";
$store = "$work/tmp/live-run.sqlite";
$metaFile = "$built.json";
$meta = is_file($metaFile) ? json_decode((string) file_get_contents($metaFile), true) : null;
if (!is_file($built) || ($meta['seed'] ?? null) !== SEED || ($meta['events'] ?? null) !== $events) {
    say("store: building $events events over 30 days in $built");
    removeStore($built);
    $el = ElSide::open($built);
    $el->log->putDirectory(...Rows::directory());
    $end = intdiv((int) (microtime(true) * 1000), 60_000) * 60_000;
    $batch = [];
    foreach ((new Rows(SEED))->generate($events, $end - 30 * 86_400_000 + 600_000, 30 * 86_400_000 - 600_000) as [$event]) {
        $batch[] = $event;
        if (count($batch) === 10_000) {
            $el->log->logBatch($batch);
            $batch = [];
        }
    }
    if ($batch !== []) {
        $el->log->logBatch($batch);
    }
    $el->log->close(); // the last connection: no WAL is left next to the file copied below
    file_put_contents($metaFile, json_encode(['seed' => SEED, 'events' => $events]));
}

function removeStore(string $path): void
{
    foreach (['', '-wal', '-shm'] as $suffix) {
        @unlink($path . $suffix);
    }
}

/** utime + stime of $pids in ms (clock ticks of 10 ms). */
function cpuMs(array $pids): float
{
    $ticks = 0;
    foreach ($pids as $pid) {
        $stat = (string) @file_get_contents("/proc/$pid/stat");
        $fields = explode(' ', substr($stat, strrpos($stat, ')') + 2));
        $ticks += (int) ($fields[11] ?? 0) + (int) ($fields[12] ?? 0);
    }
    return $ticks * 1000 / 100;
}

/** FPM's own timing of the requests it logged from byte $from of its access log: "status µs". */
function accessLog(string $path, int $from): array
{
    $lines = explode("\n", trim(substr((string) file_get_contents($path), $from)));
    return array_map(static fn (string $l) => array_map('intval', explode(' ', $l)), array_filter($lines));
}

/** One polling window: what the pages saw, what FPM timed, what its workers spent. */
function pollWindow(LivePages $pages, PhpFpm $fpm, string $accessLog): array
{
    $pages->poll(WARM_S);
    $pages->take();
    clearstatcache();
    $logFrom = filesize($accessLog);
    $cpu0 = cpuMs($fpm->workers());
    $t0 = hrtime(true);
    $pages->poll(MEASURE_S);
    $seconds = (hrtime(true) - $t0) / 1e9;
    $cpu = cpuMs($fpm->workers()) - $cpu0;
    $answers = $pages->take();
    $timed = accessLog($accessLog, $logFrom);
    $ms = array_column($answers, 'ms');
    $statuses = array_count_values(array_column($answers, 'status'));
    $serverMs = array_map(static fn (array $l) => $l[1] / 1000, $timed);
    $notModifiedMs = array_map(static fn (array $l) => $l[1] / 1000, array_filter($timed, static fn (array $l) => $l[0] === 304));
    return [
        'polls' => count($answers), 'polls_per_s' => count($answers) / $seconds, 'statuses' => $statuses,
        'share_304' => ($statuses[304] ?? 0) / max(1, count($answers)),
        'p50_ms' => Stats::median($ms), 'p95_ms' => Stats::percentile($ms, 95), 'p99_ms' => Stats::percentile($ms, 99),
        'server_p50_ms' => Stats::median($serverMs), 'server_p95_ms' => Stats::percentile($serverMs, 95),
        'server_p99_ms' => Stats::percentile($serverMs, 99), 'server_max_ms' => $serverMs === [] ? NAN : max($serverMs),
        'server_304_p95_ms' => Stats::percentile($notModifiedMs, 95),
        'cpu_ms_per_poll' => $cpu / max(1, count($answers)), 'cpu_share' => $cpu / 1000 / $seconds,
        'window_ns' => [$t0, hrtime(true)],
    ];
}

/** @return list<array{0: resource, 1: array}> 2 logloop workers, started and logging an event every $pauseUs */
function startLoggers(string $store, string $stop, int $pauseUs, array &$children): array
{
    $loggers = [];
    foreach ([SEED + 20, SEED + 21] as $seed) {
        $p = proc_open(['php', __DIR__ . '/worker.php', 'logloop', 'el', $store, $stop, (string) $seed, (string) $pauseUs],
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $children[] = $p;
        $loggers[] = [$p, $pipes];
    }
    foreach ($loggers as [, $pipes]) {
        fgets($pipes[2]); // "ready": opened and logged once
    }
    return $loggers;
}

/** el_log latencies (ms) of the loggers' events that started inside each window. @return list<list<float>> */
function stopLoggers(array $loggers, string $stop, array $windows): array
{
    touch($stop);
    $per = array_fill(0, count($windows), []);
    foreach ($loggers as [$p, $pipes]) {
        $out = json_decode((string) stream_get_contents($pipes[1]), true, 512, JSON_THROW_ON_ERROR);
        proc_close($p);
        if ($out['errors'] > 0) {
            throw new RuntimeException("a logger had {$out['errors']} errors");
        }
        foreach ($out['at_ns'] as $k => $at) {
            foreach ($windows as $w => [$from, $to]) {
                if ($at >= $from && $at < $to) {
                    $per[$w][] = $out['lat_ns'][$k] / 1e6;
                }
            }
        }
    }
    return $per;
}

$results = [];
$loadAtStart = sys_getloadavg()[0];
for ($run = 1; $run <= $runs; $run++) {
    removeStore($store);
    copy($built, $store);
    // Written back now: else the kernel writes the copy back during the run, under the phases measured.
    exec('sync');
    $dir = StreamEvents\Tests\Fixture::tempDir();
    $accessLog = "$dir/access.log";
    $fpm = new PhpFpm(['STREAM_EVENTS_DB' => $store], WORKERS,
        ['access.log' => $accessLog, 'access.format' => '"%s %{micro}d"'], true);
    $pages = new LivePages($fpm->address, __DIR__ . '/live-front.php');
    $pages->add($pageCount, SEED + $run);
    say("run $run/$runs: opening $pageCount pages");
    $t0 = hrtime(true);
    $pages->open();
    $openSeconds = (hrtime(true) - $t0) / 1e9;

    say("run $run/$runs: quiet, $pageCount pages polling, nothing logged");
    $quiet = pollWindow($pages, $fpm, $accessLog);

    say("run $run/$runs: steady, $pageCount pages polling while 2 processes log 10 events/s each");
    $loggers = startLoggers($store, "$dir/stop-steady", 100_000, $children);
    $steady = pollWindow($pages, $fpm, $accessLog);
    [$steadyLog] = stopLoggers($loggers, "$dir/stop-steady", [$steady['window_ns']]);

    say("run $run/$runs: alone, 2 processes logging an event a ms each, no pages");
    $loggers = startLoggers($store, "$dir/stop-busy", 1000, $children);
    $aloneFrom = hrtime(true);
    sleep(ALONE_S);
    $aloneTo = hrtime(true);

    say("run $run/$runs: busy, $pageCount pages polling while they go on");
    $busy = pollWindow($pages, $fpm, $accessLog);
    [$aloneLog, $busyLog] = stopLoggers($loggers, "$dir/stop-busy", [[$aloneFrom, $aloneTo], $busy['window_ns']]);
    $fpm->stop();
    clearstatcache();
    $walBytes = (int) @filesize("$store-wal");
    $p99 = static fn (array $ms): float => Stats::percentile($ms, 99);
    $results[] = ['open_s' => $openSeconds, 'quiet' => $quiet, 'steady' => $steady, 'busy' => $busy, 'wal_mb_after_busy' => $walBytes / 1048576,
        'el_log' => ['steady_p99_ms' => $p99($steadyLog), 'alone_p99_ms' => $p99($aloneLog), 'busy_p99_ms' => $p99($busyLog),
            'steady_events' => count($steadyLog), 'alone_events' => count($aloneLog), 'busy_events' => count($busyLog),
            'busy_max_ms' => max($busyLog ?: [NAN])]];
    say(sprintf('run %d: opened in %.1f s; quiet %.0f polls/s p95 %.2f ms (FPM 304 p95 %.2f ms) %.3f ms CPU/poll; steady p95 %.2f ms %.3f ms CPU/poll; '
        . 'busy p95 %.2f ms (FPM p99 %.1f, max %.0f ms) %.3f ms CPU/poll, %.0f %% 304; el_log p99 %.2f ms steady, %.2f ms alone, %.2f ms busy; WAL %.0f MB',
        $run, $openSeconds, $quiet['polls_per_s'], $quiet['p95_ms'], $quiet['server_304_p95_ms'], $quiet['cpu_ms_per_poll'], $steady['p95_ms'],
        $steady['cpu_ms_per_poll'], $busy['p95_ms'], $busy['server_p99_ms'], $busy['server_max_ms'], $busy['cpu_ms_per_poll'],
        100 * $busy['share_304'], $p99($steadyLog), $p99($aloneLog),
        $p99($busyLog), $walBytes / 1048576));
}

// --- Report: medians over the runs -------------------------------------------------------------
$med = static fn (string $phase, string $key): float => Stats::median(array_map(static fn ($r) => $r[$phase][$key], $results));
$fmt = static fn (float $v, int $d = 2): string => number_format($v, $d, '.', ',');
$rows = [];
foreach (['quiet' => 'nothing logged', 'steady' => '2 processes logging 10 events/s each',
    'busy' => '2 processes logging an event a ms each'] as $phase => $label) {
    $rows[] = sprintf('| %s pages polling every 2 s, %s | %s | %s / %s / %s | %s / %s / %s | %s | %s %% | %s %% |', $fmt($pageCount, 0), $label,
        $fmt($med($phase, 'polls_per_s'), 0), $fmt($med($phase, 'p50_ms')), $fmt($med($phase, 'p95_ms')), $fmt($med($phase, 'p99_ms')),
        $fmt($med($phase, 'server_p50_ms')), $fmt($med($phase, 'server_p95_ms')), $fmt($med($phase, 'server_p99_ms')),
        $fmt($med($phase, 'cpu_ms_per_poll'), 3),
        $fmt(100 * $med($phase, 'cpu_share'), 0), $fmt(100 * $med($phase, 'share_304'), 0));
}
$elLog = sprintf('el_log p99 (target ≤ 3 ms): %s ms at 10 events/s a process with the pages polling; at an event a ms a process, '
    . '%s ms without the pages and %s ms with them (max %s ms)', $fmt($med('el_log', 'steady_p99_ms')), $fmt($med('el_log', 'alone_p99_ms')),
    $fmt($med('el_log', 'busy_p99_ms')), $fmt($med('el_log', 'busy_max_ms'), 1));
$header = sprintf("Live pages: %s events in the store (a fresh copy each run), %d pages, %d FPM workers (preload, unix socket), medians of %d runs of %d s per phase.\n"
    . "Machine: %s, %d CPUs, PHP %s, load average %.1f at start, %.1f at end; run at %s UTC with: bench/run.sh live (EVENTS=%d RUNS=%d PAGES=%d)\n\n",
    number_format($events), $pageCount, WORKERS, $runs, MEASURE_S, php_uname('s') . ' ' . php_uname('r'), (int) shell_exec('nproc'), PHP_VERSION,
    $loadAtStart, sys_getloadavg()[0], gmdate('Y-m-d H:i'), $events, $runs, $pageCount);
$table = "| what | polls/s | poll ms p50 / p95 / p99 (as a page sees it) | FPM ms p50 / p95 / p99 | worker CPU ms per poll | workers' CPU (% of a core) | answered 304 |\n"
    . "|---|---|---|---|---|---|---|\n" . implode("\n", $rows) . "\n\n" . $elLog . "\n"
    . sprintf("Nothing new (304), as FPM timed it: p95 %s ms (quiet phase).\n", $fmt($med('quiet', 'server_304_p95_ms')));
file_put_contents("$work/results-live.md", $header . $table);
array_walk_recursive($results, static function (mixed &$v): void {
    $v = is_float($v) && !is_finite($v) ? null : $v; // JSON has no NAN (no 304 in a phase, no sample)
});
file_put_contents("$work/results-live.json", json_encode(['runs' => $results, 'events' => $events, 'pages' => $pageCount], JSON_PRETTY_PRINT));
echo $header, $table;
