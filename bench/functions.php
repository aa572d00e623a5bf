<?php

declare(strict_types=1);

/*
 * What bench.php (SQLite) and maria.php (MariaDB) share: running workers,
 * the benchmark's SQLite stores (the big one is the MariaDB bench's copy
 * source), formatting and the report.
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

require_once __DIR__ . '/bootstrap.php';

const DAY = 86_400_000;
const SEED = 20261127;

function say(string $s): void
{
    fwrite(STDERR, '[' . gmdate('H:i:s') . "] $s\n");
}

/** Runs `php worker.php ...` (or another command) and decodes its JSON line. */
function run(array $cmd): array
{
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    if (proc_close($p) !== 0) {
        throw new RuntimeException(implode(' ', $cmd) . " failed: $err");
    }
    return json_decode($out, true, 512, JSON_THROW_ON_ERROR);
}

function worker(string ...$args): array
{
    return ['php', __DIR__ . '/worker.php', ...$args];
}

/** Starts a worker in the background; returns [process, pipes]. */
function spawn(array $cmd): array
{
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    return [$p, $pipes];
}

function collect(array $spawned): array
{
    [$p, $pipes] = $spawned;
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    if (proc_close($p) !== 0) {
        throw new RuntimeException("worker failed: $err");
    }
    return json_decode($out, true, 512, JSON_THROW_ON_ERROR);
}

/**
 * The bench's 4-process row, once: four `worker.php log` processes of $n / 4 events each on a
 * fresh $store, released together; the total rate over the first start to the last end, and
 * every call's latency.
 */
function fourLoggers(string $side, string $store, int $n, int $logStart, string $tmp): array
{
    $go = "$tmp/go";
    @unlink($go);
    freshStore($side, $store);
    // Start with nothing of the harness's own left to write back: a checkpoint's
    // fsync behind earlier runs' dirty pages is the harness, not the side measured.
    exec('sync');
    $per = intdiv($n, 4);
    $procs = [];
    for ($w = 0; $w < 4; $w++) {
        $procs[] = spawn(worker('log', $side, $store, (string) $per, (string) (SEED + 10 + $w), (string) $logStart, $go));
    }
    usleep(300_000); // let them load their rows; they wait for $go
    touch($go);
    $res = array_map('collect', $procs);
    $seconds = (max(array_column($res, 'end_ns')) - min(array_column($res, 'start_ns'))) / 1e9;
    return ['events' => 4 * $per, 'seconds' => $seconds, 'events_per_s' => 4 * $per / $seconds,
        'errors' => array_sum(array_column($res, 'errors')),
        'firstError' => implode('; ', array_filter(array_column($res, 'firstError'))),
        'lat_ns' => array_merge(...array_column($res, 'lat_ns'))];
}

/**
 * Starts $count logloop workers (bench/worker.php logloop) on $store, seeds $seed, $seed + 1, ...,
 * each logging an event every $pauseUs until $stop exists, and returns once each has opened the
 * store and logged once. loggersDuring collects them.
 */
function startLoggers(int $count, string $side, string $store, string $stop, int $seed, int $pauseUs = 1000): array
{
    @unlink($stop);
    $loggers = [];
    for ($w = 0; $w < $count; $w++) {
        $loggers[] = spawn(worker('logloop', $side, $store, $stop, (string) ($seed + $w), (string) $pauseUs));
    }
    foreach ($loggers as [, $pipes]) {
        fgets($pipes[2]); // "ready": opened and logged once
    }
    return $loggers;
}

/**
 * Collects logloop workers (bench/worker.php logloop) and sums up what they
 * saw of [$t0, $t1], the operation under test: the calls that overlapped it
 * (samples, their longest and p99 latency in ms), errors, and all they logged.
 *
 * @return array{samples: int, errors: int, logged: int, max_ms: float, p99_ms: float}
 */
function loggersDuring(array $loggers, int $t0, int $t1): array
{
    $lat = [];
    $errors = $logged = 0;
    foreach ($loggers as $l) {
        $res = collect($l);
        $errors += $res['errors'];
        $logged += count($res['lat_ns']);
        foreach ($res['at_ns'] as $i => $at) {
            if ($at + $res['lat_ns'][$i] >= $t0 && $at <= $t1) {
                $lat[] = $res['lat_ns'][$i];
            }
        }
    }
    return ['samples' => count($lat), 'errors' => $errors, 'logged' => $logged,
        'max_ms' => ($lat === [] ? NAN : max($lat)) / 1e6, 'p99_ms' => Stats::percentile($lat, 99) / 1e6];
}

/**
 * The daily prune of a big SQLite store while 2 processes log an event about every ms, as the full
 * bench's prune row and bench/prune-probe.php both run it. $source is copied to $copy and written
 * back first (else the first WAL checkpoint during the prune fsyncs the whole file: 0.5 s at 10M).
 * With $limit the lock probe runs too (with the pruner and loggers as its witnesses, see limit.c): it takes the write lock every ms, retrying every 100 us, so
 * its longest wait is the longest hold by anyone else; at a raised priority when the harness may
 * set one (on 2 cores shared with the pruner and 2 loggers, a probe waiting for a core would count
 * that wait as a hold: BENCHMARKS.md has the runs that showed it). $prune(copy) prunes and returns
 * the rows it deleted. Returns those, the prune's time, the WAL's size right after it, what the
 * loggers saw of it (loggersDuring) and the probe's answer (null without $limit). $cold: null, the
 * copy in the page cache as copying left it; 'all', every page of it dropped from the cache; 'today',
 * the same, then its newest day read back (readBackNewestDay).
 *
 * @return array{deleted: int, seconds: float, wal_mb: float, loggers: array, probe: ?array}
 */
function pruneWhileLogging(string $side, string $source, string $copy, ?string $limit, Closure $prune, ?string $cold = null): array
{
    removeStore($copy);
    copy($source, $copy);
    exec('sync ' . escapeshellarg($copy));
    if ($cold !== null) {
        dropFromPageCache($copy);
    }
    if ($cold === 'today') {
        readBackNewestDay($copy);
    }
    $stop = "$copy.stop";
    $loggers = startLoggers(2, $side, $copy, $stop, SEED + 20);
    $nice = posix_geteuid() === 0 ? ['nice', '-n', '-10'] : [];
    // The probe's witnesses: this process prunes, the loggers log (their threads are sampled during long waits).
    $witnesses = ['pruner=' . getmypid()];
    foreach ($loggers as $i => [$process]) {
        $witnesses[] = 'logger' . ($i + 1) . '=' . proc_get_status($process)['pid'];
    }
    $probe = $limit === null ? null : spawn([...$nice, $limit, '--probe', $copy, $stop, ...$witnesses]);
    usleep(200_000);
    $t0 = hrtime(true);
    $deleted = $prune($copy);
    $t1 = hrtime(true);
    $walMb = (is_file("$copy-wal") ? filesize("$copy-wal") : 0) / 1e6;
    usleep(200_000);
    touch($stop);
    $result = ['deleted' => $deleted, 'seconds' => ($t1 - $t0) / 1e9, 'wal_mb' => $walMb,
        'loggers' => loggersDuring($loggers, $t0, $t1), 'probe' => $probe === null ? null : collect($probe)];
    removeStore($copy);
    @unlink($stop);
    return $result;
}

/** Takes a file's pages out of the page cache (fadvise DONTNEED, through dd). */
function dropFromPageCache(string $file): void
{
    exec('dd if=' . escapeshellarg($file) . ' iflag=nocache count=0 status=none', $out, $rc);
    if ($rc !== 0) {
        throw new RuntimeException("dd could not drop $file from the page cache");
    }
}

/**
 * Reads what a panel's default views and loggers touch all day: the store's newest day, in the
 * table, in each time index (for every service and type) and in the counters. After
 * dropFromPageCache, what is left on the disk is what a panel has not read for weeks, such as
 * the day the prune deletes.
 */
function readBackNewestDay(string $store): void
{
    $db = new PDO("sqlite:$store", null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    foreach ([
        'SELECT sum((SELECT count(*) FROM event INDEXED BY event_service_ts WHERE service_id = s.id AND ts > (SELECT max(ts) - 86400000 FROM event))) FROM service AS s',
        'SELECT sum((SELECT count(*) FROM event INDEXED BY event_type_ts WHERE type = t.code AND ts > (SELECT max(ts) - 86400000 FROM event))) FROM event_type AS t',
        'SELECT count(*) FROM event INDEXED BY event_ts WHERE ts > (SELECT max(ts) - 86400000 FROM event)',
        'SELECT sum(length(message)) FROM event WHERE id >= (SELECT min(id) FROM event WHERE ts > (SELECT max(ts) - 86400000 FROM event))',
        'SELECT sum(n) FROM count_service_day WHERE ts >= (SELECT max(ts) - 86400000 FROM count_service_day)',
        'SELECT sum(n) FROM count_hour WHERE ts >= (SELECT max(ts) - 86400000 FROM count_hour)',
    ] as $sql) {
        $db->query($sql)->fetchAll();
    }
}

/** The library's prune of a copy of the big el store at the "now" at which its oldest day leaves the 30-day window. */
function elPruneOfTheOldestDay(array $meta): Closure
{
    return static function (string $copy) use ($meta): int {
        $store = ElSide::open($copy);
        $deleted = $store->log->prune($meta['startMs'] + DAY + 30 * DAY);
        $store->log->close();
        return $deleted;
    };
}

/** What InnoDB has still to do: undo logs to purge, dirty pages, redo since the checkpoint (MiB). */
function serverState(PDO $admin): array
{
    $s = $admin->query("SHOW GLOBAL STATUS WHERE variable_name IN ('Innodb_history_list_length', 'Innodb_buffer_pool_pages_dirty', 'Innodb_checkpoint_age')")
        ->fetchAll(PDO::FETCH_KEY_PAIR);
    return ['history' => (int) $s['Innodb_history_list_length'], 'dirty' => (int) $s['Innodb_buffer_pool_pages_dirty'],
        'checkpoint_mib' => (int) $s['Innodb_checkpoint_age'] / 1048576];
}

/**
 * Waits until the server's purge has caught up (at most $below undo logs left to purge, or
 * $timeoutSeconds); returns [seconds, undo logs left]. The folds' flag updates leave purge work
 * that runs on the cores a measurement needs, as the write-back does.
 */
function waitForPurge(PDO $admin, int $below = 10, int $timeoutSeconds = 30): array
{
    $t = hrtime(true);
    while (($left = serverState($admin)['history']) >= $below && hrtime(true) - $t < $timeoutSeconds * 1e9) {
        usleep(100_000);
    }
    return [(hrtime(true) - $t) / 1e9, $left];
}

/** Pages the server has read from disk since it started (`Innodb_buffer_pool_reads`). */
function poolReads(PDO $admin): int
{
    return (int) $admin->query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'")->fetch(PDO::FETCH_NUM)[1];
}

/**
 * Waits until a MariaDB server has written back every page it holds dirty, flushing at full speed
 * meanwhile; returns [seconds, pages left]. What the server still has to write after a bulk load
 * (a copy, the previous round's large write) must not carry over into the next measurement; a
 * server left alone takes minutes for it (373 s for a 10M-event copy here, 7-9 s this way).
 */
function writeBack(PDO $admin, int $timeoutSeconds = 900): array
{
    $t = hrtime(true);
    $saved = $admin->query('SELECT @@innodb_io_capacity, @@innodb_io_capacity_max, @@innodb_max_dirty_pages_pct, @@innodb_max_dirty_pages_pct_lwm')
        ->fetch(PDO::FETCH_NUM);
    // The maximum first: the capacity may not exceed it (and back the other way).
    $admin->exec('SET GLOBAL innodb_io_capacity_max = 40000');
    $admin->exec('SET GLOBAL innodb_io_capacity = 20000');
    $admin->exec('SET GLOBAL innodb_max_dirty_pages_pct_lwm = 0.001');
    $admin->exec('SET GLOBAL innodb_max_dirty_pages_pct = 0');
    do {
        usleep(500_000);
        $dirty = (int) $admin->query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")->fetch(PDO::FETCH_NUM)[1];
    } while ($dirty > 100 && hrtime(true) - $t < $timeoutSeconds * 1e9);
    $admin->exec("SET GLOBAL innodb_max_dirty_pages_pct = $saved[2]");
    $admin->exec("SET GLOBAL innodb_max_dirty_pages_pct_lwm = $saved[3]");
    $admin->exec("SET GLOBAL innodb_io_capacity = $saved[0]");
    $admin->exec("SET GLOBAL innodb_io_capacity_max = $saved[1]");
    return [(hrtime(true) - $t) / 1e9, $dirty];
}

/**
 * $names in the order round $round runs them: turned by one each round, so
 * that no side always runs on a warmer (or busier) machine.
 *
 * @param list<string> $names
 * @return list<string>
 */
function rotation(array $names, int $round): array
{
    return array_slice([...$names, ...$names], $round % count($names), count($names));
}

function removeStore(string $path): void
{
    foreach (['', '-wal', '-shm', '-journal'] as $suffix) {
        @unlink($path . $suffix);
    }
}

/** A new store of each kind holding the benchmark directory (the C limit creates its own). */
function freshStore(string $side, string $path): void
{
    removeStore($path);
    if ($side === 'lean') {
        return; // LeanPeer makes its own table
    }
    [$accounts, $services] = Rows::directory();
    if ($side === 'el') {
        $el = ElSide::open($path);
        $el->log->putDirectory($accounts, $services);
        $el->log->close();
    } else {
        // Not through PdoPeer: its persistent connection would outlive this file.
        $pdo = new PDO("sqlite:$path", null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        $pdo->exec('PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL');
        $pdo->exec(file_get_contents(getenv('BENCH_SCHEMA')));
        $a = $pdo->prepare('INSERT INTO account (id, role, name, reseller_id) VALUES (?, ?, ?, ?)');
        foreach ($accounts as $x) {
            $a->execute([$x['id'], $x['role'], $x['name'], $x['resellerId'] ?? null]);
        }
        $s = $pdo->prepare('INSERT INTO service (id, name, owner_id, kind) VALUES (?, ?, ?, ?)');
        foreach ($services as $x) {
            $s->execute([$x['id'], $x['name'], $x['ownerId'], $x['kind']]);
        }
    }
}

/**
 * The store's tables and indexes as SQL, tables first (without SQLite's own,
 * and without the search counters': the peers keep none, and their FTS5
 * tables, made as days are counted, cannot be created from their shadows' SQL).
 */
function schemaOf(string $path): string
{
    $db = new SQLite3($path, SQLITE3_OPEN_READONLY);
    $r = $db->query("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
                     AND name NOT LIKE 'search\\_%' ESCAPE '\\' ORDER BY type = 'index', rowid");
    $out = '';
    while ($row = $r->fetchArray(SQLITE3_NUM)) {
        $out .= $row[0] . ";\n";
    }
    $db->close();
    return $out;
}

/**
 * The schema of an SQLite store the library creates, dumped now so that the
 * peers always write the same one; also written to $tmp/schema.sql and named
 * by BENCH_SCHEMA for PdoPeer, here and in the workers.
 */
function sqliteSchema(string $tmp): string
{
    $probe = "$tmp/probe.sqlite";
    freshStore('el', $probe);
    $schemaSql = schemaOf($probe);
    file_put_contents("$tmp/schema.sql", $schemaSql);
    putenv("BENCH_SCHEMA=$tmp/schema.sql");
    removeStore($probe);
    return $schemaSql;
}

/**
 * The big SQLite stores of $n events (el and PDO), built once into $work and
 * reused while their row count, seed and schema match: a month of events
 * logged in batches of 10,000. Returns [el path, PDO path, meta, built now].
 * meta: seed, count, schema, startMs, spanMs, loadSeconds (el, pdo).
 */
function bigStores(string $work, int $n, string $schemaSql, int $nowMs): array
{
    $bigEl = "$work/big-$n-el.sqlite";
    $bigPdo = "$work/big-$n-pdo.sqlite";
    $metaFile = "$work/big-$n.json";
    $meta = is_file($metaFile) ? json_decode(file_get_contents($metaFile), true) : null;
    // Reuse only a store of the library's current schema (a library may also have migrated it in place).
    $reuse = $meta !== null && $meta['seed'] === SEED && $meta['count'] === $n && $meta['schema'] === md5($schemaSql)
        && is_file($bigEl) && is_file($bigPdo) && schemaOf($bigEl) === $schemaSql;
    if ($reuse) {
        say("big stores: reusing $bigEl and $bigPdo");
        return [$bigEl, $bigPdo, $meta, false];
    }
    say("big stores: building $n events over 30 days (el: logBatch of 10,000; PDO: transactions of 10,000)");
    removeStore($bigEl);
    removeStore($bigPdo);
    $end = intdiv($nowMs, 60_000) * 60_000;
    // Ten minutes inside the 30-day window: older events are refused at el_log.
    $meta = ['seed' => SEED, 'count' => $n, 'schema' => md5($schemaSql), 'startMs' => $end - 30 * DAY + 600_000, 'spanMs' => 30 * DAY - 600_000];
    [$accounts, $services] = Rows::directory();
    $el = ElSide::open($bigEl);
    $el->log->putDirectory($accounts, $services);
    freshStore('pdo', $bigPdo);
    $peer = PdoPeer::open($bigPdo);
    $t = ['el' => 0.0, 'pdo' => 0.0];
    $events = $columns = [];
    $flush = static function () use (&$events, &$columns, &$t, $el, $peer): void {
        $t0 = hrtime(true);
        $el->log->logBatch($events);
        $t1 = hrtime(true);
        $peer->logMany($columns);
        $t['el'] += ($t1 - $t0) / 1e9;
        $t['pdo'] += (hrtime(true) - $t1) / 1e9;
        $events = $columns = [];
    };
    foreach ((new Rows(SEED))->generate($n, $meta['startMs'], $meta['spanMs']) as $i => [$event, $cols]) {
        $events[] = $event;
        $columns[] = $cols;
        if (count($events) === 10_000) {
            $flush();
            if (($i + 1) % 1_000_000 === 0) {
                say(sprintf('  %d events (el %.0f s, PDO %.0f s)', $i + 1, $t['el'], $t['pdo']));
            }
        }
    }
    if ($events !== []) {
        $flush();
    }
    // The searches read the search counters: the loader's thread counted
    // behind it; the prune counts what is left (as of the store's start
    // + 30 days it deletes nothing, however long the load took).
    $t0 = hrtime(true);
    $el->log->prune($meta['startMs'] + 30 * DAY - 60_000);
    $meta['searchCountSeconds'] = (hrtime(true) - $t0) / 1e9;
    say(sprintf('  search counters caught up in %.0f s after the load', $meta['searchCountSeconds']));
    $el->log->close();
    $peer->pdo()->exec('PRAGMA wal_checkpoint(TRUNCATE)');
    $meta['loadSeconds'] = $t;
    file_put_contents($metaFile, json_encode($meta, JSON_PRETTY_PRINT));
    return [$bigEl, $bigPdo, $meta, true];
}

function fmt(float $v, int $decimals = 0): string
{
    return is_nan($v) ? '—' : number_format($v, $decimals, '.', ',');
}

function ratio(float $a, float $b): string
{
    return $b > 0 ? number_format($a / $b, 2) . '×' : '—';
}

function met(bool $ok): string
{
    return $ok ? 'met' : 'NOT MET';
}

/**
 * Several export runs of one side as one figure: the median rate (a single run
 * of a second or two is at the mercy of whatever else the machine does), the
 * memory of the run that grew most (flat memory must hold in every run), the
 * rows only if every run wrote the same number, and each run's rate.
 */
function medianExport(array $runs): array
{
    $growth = static fn (array $r): int => $r['peak_kib'] - $r['peak_at_10pct_kib'];
    usort($runs, static fn (array $a, array $b): int => $growth($b) <=> $growth($a));
    $rows = array_unique(array_column($runs, 'rows'));
    return ['rows_per_s' => Stats::median(array_column($runs, 'rows_per_s')), 'runs' => array_column($runs, 'rows_per_s'),
        'rows' => count($rows) === 1 ? $rows[0] : -1, 'peak_at_10pct_kib' => $runs[0]['peak_at_10pct_kib'], 'peak_kib' => $runs[0]['peak_kib']];
}

/** Reads a file once so that it is in the page cache. */
function warmPageCache(string $path): void
{
    $f = fopen($path, 'rb');
    while (!feof($f)) {
        fread($f, 1 << 20);
    }
    fclose($f);
}

/** sha256 prefix and build time of the library, to tell builds apart in a report. */
function libraryId(string $library): string
{
    clearstatcache();
    return substr(hash_file('sha256', $library), 0, 12) . ', built ' . gmdate('Y-m-d H:i', filemtime($library)) . ' UTC';
}

/** The machine, the software ($software: e.g. "SQLite 3.40.1") and the library, for a report's header. */
function machine(string $software, string $library, string $libraryAtStart, float $loadAtStart): string
{
    $machine = sprintf("%s; %d CPUs (%s); %.1f GiB RAM; PHP %s; %s; library %s",
        php_uname('s') . ' ' . php_uname('r'), (int) shell_exec('nproc'),
        trim((string) shell_exec("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")),
        (int) shell_exec("awk '/MemTotal/ {print $2}' /proc/meminfo") / 1048576, PHP_VERSION, $software,
        "$library ($libraryAtStart)");
    $machine .= sprintf('; load average %.1f at start, %.1f at end (the machine is shared: read ratios, not absolute times)', $loadAtStart, sys_getloadavg()[0]);
    if (libraryId($library) !== $libraryAtStart) {
        $machine .= "\nWARNING: the library changed during the run (now " . libraryId($library) . '): figures mix two builds.';
    }
    return $machine;
}

/**
 * A run's results: WORKDIR/results-NAME.md and .json, the latest run's, and
 * results-NAME-<time>.json, each run's own (a chain runs a mode three times;
 * bench/maria-summary.php tabulates several).
 */
function writeResults(string $work, string $name, string $markdown, string $json): void
{
    file_put_contents("$work/results-$name.md", $markdown);
    file_put_contents("$work/results-$name.json", $json);
    file_put_contents("$work/results-$name-" . gmdate('Ymd-His') . '.json', $json);
}

/** The table as Markdown. */
function markdownTable(array $head, array $table): string
{
    $md = '| ' . implode(' | ', $head) . " |\n|" . str_repeat('---|', count($head)) . "\n";
    foreach ($table as $row) {
        $md .= '| ' . implode(' | ', $row) . " |\n";
    }
    return $md;
}

function dropDb(PDO $admin, string $db): void
{
    $admin->exec("DROP DATABASE IF EXISTS `$db`");
}

/**
 * The peer's store in a new database $db: the library's tables (`event` with
 * its partitions, `account`, `service`) as they are in $from, without the
 * counter tables, and the directory's rows; its events are left to the caller.
 */
function peerTables(PDO $admin, string $from, string $db): void
{
    $admin->exec("CREATE DATABASE `$db`");
    foreach (['event', 'account', 'service'] as $t) {
        $admin->exec("CREATE TABLE `$db`.$t LIKE `$from`.$t");
    }
    // The library hands out ids itself (blocks of a counter row); a panel's own table numbers its rows.
    $admin->exec("ALTER TABLE `$db`.event MODIFY id BIGINT NOT NULL AUTO_INCREMENT");
    foreach (['account', 'service'] as $t) {
        $admin->exec("INSERT INTO `$db`.$t SELECT * FROM `$from`.$t");
    }
}

/**
 * A MariaDB fold's counter upserts for $rows ([ts, id, type, actor_type,
 * service_id] each), as `MariaDBTotals.Increments.statements` writes them:
 * one statement per table named in $tables, rows in key order. $category
 * maps a type's code to its category. Returns [statements, counter rows].
 *
 * @param list<array{0: int, 1: int, 2: int, 3: int, 4: int}> $rows
 * @param list<string> $tables of count_day, count_hour, count_service_type_day, count_service_category_day
 * @return array{list<string>, int}
 */
function foldUpserts(array $rows, array $category, array $tables): array
{
    $counts = array_fill_keys($tables, []);
    foreach ($rows as [$ts, , $type, $actor, $service]) {
        $day = intdiv($ts, DAY) * DAY;
        $hour = intdiv($ts, 3_600_000) * 3_600_000;
        $keys = ['count_day' => "$day,$type,$actor", 'count_hour' => "$hour,$type,$actor",
            'count_service_type_day' => "$service,$day,$type,$actor",
            'count_service_category_day' => "$service,'" . ($category[$type] ?? '') . "',$day"];
        foreach ($tables as $t) {
            $counts[$t][$keys[$t]] = ($counts[$t][$keys[$t]] ?? 0) + 1;
        }
    }
    $columns = ['count_day' => 'ts, type, actor_type', 'count_hour' => 'ts, type, actor_type',
        'count_service_type_day' => 'service_id, ts, type, actor_type', 'count_service_category_day' => 'service_id, category, ts'];
    $statements = [];
    $n = 0;
    foreach ($counts as $table => $byKey) {
        ksort($byKey);
        $values = [];
        foreach ($byKey as $key => $count) {
            $values[] = "($key,$count)";
        }
        $statements[] = "INSERT INTO $table ({$columns[$table]}, n) VALUES " . implode(',', $values) . ' ON DUPLICATE KEY UPDATE n = n + VALUES(n)';
        $n += count($byKey);
    }
    return [$statements, $n];
}

/**
 * Turns the server's slow query log on at 10 ms, into $file, for the drop
 * rows. Returns fn(): Closure, to call just before a drop: the closure it
 * gives back returns the Query_time (ms) of the longest `ALTER TABLE event
 * DROP PARTITION` or `… EXCHANGE PARTITION` (the statements that hold the
 * event table: since ca1d2f4 a prune moves each day out by an exchange, then
 * drops the emptied partition) logged since then, or null if each took under
 * 10 ms. Turn the log off with `SET GLOBAL slow_query_log = 0`.
 */
function slowAlterLog(PDO $admin, string $file): Closure
{
    $admin->exec('SET GLOBAL slow_query_log_file = ' . $admin->quote($file));
    $admin->exec('SET GLOBAL long_query_time = 0.01');
    $admin->exec('SET GLOBAL slow_query_log = 1');
    return static function () use ($file): Closure {
        clearstatcache(); // PHP caches filesize(): a second drop would read from the first one's offset
        $from = (int) @filesize($file);
        return static function () use ($file, $from): ?float {
            $log = (string) @file_get_contents($file, false, null, $from);
            // An entry: "# Query_time: …" and more "# …" lines, maybe "use db;", "SET timestamp=…;", the statement.
            $entry = '/# Query_time: ([0-9.]+)[^\n]*\n(?:#[^\n]*\n)*(?:use [^\n]*\n)?SET timestamp=\d+;\nALTER TABLE event (?:DROP|EXCHANGE) PARTITION/';
            return preg_match_all($entry, $log, $m) ? max(array_map('floatval', $m[1])) * 1000 : null;
        };
    };
}
