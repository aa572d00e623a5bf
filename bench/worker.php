<?php

declare(strict_types=1);

/*
 * One benchmark process, started by bench.php (a fresh PHP process per
 * measurement, as a fresh panel worker would be). Prints one JSON object.
 *
 *   worker.php log SIDE STORE COUNT SEED START_MS GOFILE   one commit per event, as fast as it goes
 *   worker.php logloop SIDE STORE STOPFILE SEED [PAUSE_US] one event per ~ms (or per PAUSE_US) until STOPFILE exists
 *   worker.php batch SIDE STORE COUNT BATCH SEED START_MS el_log_batch / a PDO transaction of BATCH events
 *   worker.php export SIDE STORE ROLE ID FILTER_JSON EXPECTED
 *   worker.php load LIBRARY STORE                         FFI scope + el_open + first el_log
 *   worker.php copy URL SQLITE_STORE                      el_copy of an SQLite store into a MariaDB one
 *   worker.php search STORE SEARCHES_JSON                  each [label, role, id, filter] paged twice, the second timed
 * SIDE is el, pdo or lean (log and batch only); GOFILE '-' starts at once. STORE is an
 * SQLite file or a mysql:// URL (el and pdo).
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\LeanPeer;
use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

require __DIR__ . '/bootstrap.php';

$cmd = $argv[1] ?? '';
$side = static fn (string $name, string $store) => match ($name) {
    'el' => ElSide::open($store),
    'lean' => LeanPeer::open($store),
    default => PdoPeer::open($store),
};
$logOne = static function ($s, array $row): void {
    match (true) {
        $s instanceof ElSide => $s->log->log($row[0]),
        $s instanceof LeanPeer => $s->log($row[0]),
        default => $s->log($row[1]),
    };
};
$latencies = static fn (array $ns): array => [
    'p50_us' => Stats::median($ns) / 1e3, 'p99_us' => Stats::percentile($ns, 99) / 1e3, 'max_us' => ($ns === [] ? NAN : max($ns)) / 1e3,
];

switch ($cmd) {
    case 'log':
        [, , $name, $store, $count, $seed, $startMs, $go] = $argv;
        $s = $side($name, $store);
        $rows = iterator_to_array((new Rows((int) $seed))->generate((int) $count, (int) $startMs, 3_600_000), false);
        foreach ($rows as &$row) {
            unset($row[0]['time']); // stamped now by the library, as a panel logs what just happened
        }
        unset($row);
        if ($go !== '-') {
            fwrite(STDERR, "ready\n"); // store open, rows made: a harness may wait for this before $go
        }
        while ($go !== '-' && !file_exists($go)) {
            usleep(200);
        }
        $ns = [];
        $errors = 0;
        $firstError = null;
        $cpu0 = Stats::cpuMicroseconds();
        $start = hrtime(true);
        foreach ($rows as $row) {
            $t = hrtime(true);
            try {
                $logOne($s, $row);
            } catch (Throwable $e) {
                $errors++;
                $firstError ??= get_class($e) . ': ' . $e->getMessage();
            }
            $ns[] = hrtime(true) - $t;
        }
        $end = hrtime(true);
        echo json_encode(['events' => count($rows), 'errors' => $errors, 'firstError' => $firstError, 'start_ns' => $start, 'end_ns' => $end,
            'seconds' => ($end - $start) / 1e9, 'cpu_us' => Stats::cpuMicroseconds() - $cpu0, 'lat_ns' => $ns] + $latencies($ns)), "\n";
        break;

    case 'logloop':
        [, , $name, $store, $stop, $seed, $pause] = $argv + [6 => '1000'];
        $s = $side($name, $store);
        $rows = iterator_to_array((new Rows((int) $seed))->generate(20_000, 0, 1), false);
        $at = $lat = [];
        $errors = 0;
        for ($i = 0; !file_exists($stop); $i++) {
            $row = $rows[$i % count($rows)];
            unset($row[0]['time']); // stamped now by the library
            $row[1][0] = (int) (microtime(true) * 1000);
            $t = hrtime(true);
            try {
                $logOne($s, $row);
            } catch (Throwable $e) {
                $errors++;
            }
            $at[] = $t;
            $lat[] = hrtime(true) - $t;
            if ($i === 0) {
                fwrite(STDERR, "ready\n");
            }
            usleep((int) $pause);
        }
        echo json_encode(['errors' => $errors, 'at_ns' => $at, 'lat_ns' => $lat]), "\n";
        break;

    case 'batch':
        [, , $name, $store, $count, $batch, $seed, $startMs] = $argv;
        $s = $side($name, $store);
        $events = array_column(iterator_to_array((new Rows((int) $seed))->generate((int) $count, (int) $startMs, 3_600_000), false), $name === 'pdo' ? 1 : 0);
        $batches = array_chunk($events, (int) $batch);
        $ns = [];
        $start = hrtime(true);
        foreach ($batches as $b) {
            $t = hrtime(true);
            $s instanceof ElSide ? $s->log->logBatch($b) : $s->logMany($b);
            $ns[] = hrtime(true) - $t;
        }
        $seconds = (hrtime(true) - $start) / 1e9;
        echo json_encode(['events' => count($events), 'seconds' => $seconds, 'events_per_s' => count($events) / $seconds] + $latencies($ns)), "\n";
        break;

    case 'export':
        [, , $name, $store, $role, $id, $filterJson, $expected] = $argv;
        $s = $side($name, $store);
        $out = fopen('/dev/null', 'wb');
        $before = Stats::rssKiB();
        $atTenth = null;
        $tenth = intdiv((int) $expected, 10);
        $progress = static function (int $rows) use (&$atTenth, $tenth): void {
            if ($atTenth === null && $rows >= $tenth) {
                $atTenth = Stats::rssKiB()['peak'];
            }
        };
        $start = hrtime(true);
        $rows = $s->exportCsv($role, (int) $id, json_decode($filterJson, true), $out, $progress);
        $seconds = (hrtime(true) - $start) / 1e9;
        echo json_encode(['rows' => $rows, 'seconds' => $seconds, 'rows_per_s' => $rows / $seconds, 'rss_start_kib' => $before['now'],
            'peak_at_10pct_kib' => $atTenth, 'peak_kib' => Stats::rssKiB()['peak'], 'php_peak_kib' => intdiv(memory_get_peak_usage(true), 1024)]), "\n";
        break;

    case 'search':
        [, , $store, $searchesJson] = $argv;
        $s = ElSide::open($store);
        $out = [];
        foreach (json_decode($searchesJson, true, 512, JSON_THROW_ON_ERROR) as [, $role, $id, $filter]) {
            $s->page($role, $id, $filter);
            $t0 = hrtime(true);
            $page = $s->page($role, $id, $filter);
            $out[] = ['ms' => (hrtime(true) - $t0) / 1e6, 'total' => $page['total']];
        }
        echo json_encode($out), "\n";
        break;

    case 'load':
        // Raw FFI, as the bridge does it on a worker's first request: parse the header, dlopen, open, log.
        [, , $library, $store] = $argv;
        $t0 = hrtime(true);
        $ffi = FFI::cdef(file_get_contents(__DIR__ . '/../php-bridge/ffi/eventlog.h'), $library);
        $t1 = hrtime(true);
        $db = $ffi->new('el_db*');
        $status = $ffi->el_open(FFI::addr($db), $store, null);
        $t2 = hrtime(true);
        $id = $ffi->new('int64_t');
        $status2 = $ffi->el_log($db, '{"type":"dj.connect","serviceId":1,"djName":"dj1","sourceIp":"10.0.0.1"}', FFI::addr($id));
        $t3 = hrtime(true);
        $ffi->el_close($db);
        if ($status !== 0 || $status2 !== 0) {
            fwrite(STDERR, "load: el_open=$status el_log=$status2\n");
            exit(1);
        }
        echo json_encode(['cdef_us' => ($t1 - $t0) / 1e3, 'open_us' => ($t2 - $t1) / 1e3, 'first_log_us' => ($t3 - $t2) / 1e3,
            'total_us' => ($t3 - $t0) / 1e3]), "\n";
        break;

    case 'copy':
        // Raw FFI, as the maintenance command's copy is a thin wrapper of el_copy (with its read timeout).
        [, , $url, $source] = $argv;
        $ffi = FFI::cdef(file_get_contents(__DIR__ . '/../php-bridge/ffi/eventlog.h'), getenv('STREAM_EVENTS_LIB'));
        $db = $ffi->new('el_db*');
        if ($ffi->el_open(FFI::addr($db), $url, '{"readTimeoutMs":600000}') !== 0) {
            fwrite(STDERR, 'copy: el_open: ' . $ffi->el_errmsg($db) . "\n");
            exit(1);
        }
        $out = $ffi->new('char*');
        $len = $ffi->new('size_t');
        $t0 = hrtime(true);
        $cpu0 = Stats::cpuMicroseconds();
        $status = $ffi->el_copy($db, $source, FFI::addr($out), FFI::addr($len));
        $cpu = Stats::cpuMicroseconds() - $cpu0;
        $seconds = (hrtime(true) - $t0) / 1e9;
        if ($status !== 0) {
            fwrite(STDERR, "copy: el_copy=$status: " . $ffi->el_errmsg($db) . "\n");
            exit(1);
        }
        $report = json_decode(FFI::string($out, $len->cdata), true, 512, JSON_THROW_ON_ERROR);
        $ffi->el_string_free($out);
        $ffi->el_close($db);
        echo json_encode(['copied' => $report['copied'], 'through' => $report['through'], 'verified' => $report['verified'],
            'days' => count($report['days']), 'seconds' => $seconds, 'events_per_s' => $report['copied'] / $seconds,
            'cpu_us' => $cpu, 'peak_kib' => Stats::rssKiB()['peak']]), "\n";
        break;

    default:
        fwrite(STDERR, "usage: see the header of bench/worker.php\n");
        exit(2);
}
