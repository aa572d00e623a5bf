<?php

declare(strict_types=1);

/*
 * `bench/run.sh mariadb fold`: what each part of the MariaDB fold costs the
 * server. For each variant and round: a new store (created by the library),
 * EVENTS events inserted into it as writers leave them (uncounted), then
 * folded 512 a transaction, as a writer's fold thread takes them, with the
 * statements `MariaDBTotals.fold` sends (the same SQL, sent from here) less
 * what the variant leaves out or changes. It reports the server's CPU an
 * event (mariadbd's utime + stime from /proc, from the first fold until
 * purge has caught up) and each statement's median time per fold.
 *
 *   library          every statement, as the library sends them: the fold
 *                    lock's row taken with SKIP LOCKED, the rows read without locks
 *   row-locks        the rows read with FOR UPDATE SKIP LOCKED and no fold
 *                    lock, as libraries before schema revision 2 fold
 *   no-service-rows  without the upserts of the per-service counters
 *   no-covering-key  count_service_type_day without its (service_id, type, ts, n) key
 *   key-without-n    that key as (service_id, type, ts): an upsert that only adds to
 *                    n leaves it alone, a type-filtered total reads n from the row
 *   no-category-rows without the upserts of count_service_category_day (a
 *                    category's total would read the type rows instead)
 *
 * EVENTS (10,240), ROUNDS (2) and VARIANTS (all six, comma-separated) are
 * the knobs. Writes WORKDIR/results-mariadb-fold.json.
 *
 *   php bench/maria-fold.php WORKDIR SERVER_URL
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

require __DIR__ . '/functions.php';

[, $work, $server] = $argv + [null, null, null];
$server !== null && str_starts_with($server, 'mysql://') || exit("usage: maria-fold.php WORKDIR mysql://user:password@host:port\n");
$n = (int) (getenv('EVENTS') ?: 10_240);
$rounds = (int) (getenv('ROUNDS') ?: 2);
$variants = explode(',', getenv('VARIANTS') ?: 'library,row-locks,no-service-rows,no-covering-key,key-without-n,no-category-rows');
$foldRows = 512;
$pid = (int) getenv('BENCH_MARIADB_PID') ?: exit("maria-fold.php: BENCH_MARIADB_PID is not set (bench/run.sh sets it)\n");
$library = getenv('STREAM_EVENTS_LIB');
$libraryAtStart = libraryId($library);
$loadAtStart = sys_getloadavg()[0];
[$dsn, $user, $password] = PdoPeer::mysqlDsn($server);
$admin = new PDO($dsn, $user, $password, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$url = rtrim($server, '/') . '/fold_el';

/** A new store with $n uncounted events (ids as the library's, counted = 0 as a writer leaves them). */
$prepare = static function (string $variant) use ($admin, $dsn, $user, $password, $url, $n): PDO {
    $admin->exec('DROP DATABASE IF EXISTS fold_el');
    ElSide::open($url)->log->close();
    $db = new PDO($dsn . ';dbname=fold_el', $user, $password, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
    $insert = $db->prepare('INSERT INTO event (id, ' . PdoPeer::COLUMNS . ') VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    $id = 0;
    $db->beginTransaction();
    foreach ((new Rows(4243))->generate($n, (int) (microtime(true) * 1000) - 3_600_000, 3_600_000) as [, $columns]) {
        $insert->execute([++$id, ...$columns]);
        if ($id % 1000 === 0) {
            $db->commit();
            $db->beginTransaction();
        }
    }
    $db->commit();
    if ($variant === 'no-covering-key') {
        $db->exec('ALTER TABLE count_service_type_day DROP KEY count_service_day_type');
    } elseif ($variant === 'key-without-n') {
        $db->exec('ALTER TABLE count_service_type_day DROP KEY count_service_day_type, ADD KEY count_service_day_type (service_id, type, ts)');
    }
    return $db;
};

$results = ['events' => $n, 'rounds' => $rounds, 'foldRows' => $foldRows, 'variants' => []];
for ($round = 1; $round <= $rounds; $round++) {
    foreach ($variants as $variant) {
        $db = $prepare($variant);
        $db->exec('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        $category = array_column($db->query('SELECT code, category FROM event_type')->fetchAll(PDO::FETCH_NUM), 1, 0);
        waitForPurge($admin);
        $ms = ['select' => [], 'upserts' => [], 'flag' => [], 'commit' => []];
        $counterRows = $folded = 0;
        $cpu0 = Stats::processCpuMicroseconds($pid);
        while (true) {
            $db->beginTransaction();
            $t0 = hrtime(true);
            $lock = ' FOR UPDATE SKIP LOCKED';
            if ($variant !== 'row-locks') {
                if ($db->query("SELECT 1 FROM setting WHERE k = 'foldLock' FOR UPDATE SKIP LOCKED")->fetchAll() === []) {
                    throw new RuntimeException('another fold holds the lock'); // nothing else folds here
                }
                $lock = '';
            }
            $rows = $db->query("SELECT ts, id, type, actor_type, service_id FROM event FORCE INDEX (event_uncounted)
                WHERE counted = 0 LIMIT $foldRows$lock")->fetchAll(PDO::FETCH_NUM);
            $t1 = hrtime(true);
            if ($rows === []) {
                $db->rollBack();
                break;
            }
            $ids = array_column($rows, 1);
            $times = array_column($rows, 0);
            [$oldest, $newest] = [min($times), max($times)];
            $parts = ['count_day', 'count_hour'];
            if ($variant !== 'no-service-rows') {
                $parts[] = 'count_service_type_day';
                if ($variant !== 'no-category-rows') {
                    $parts[] = 'count_service_category_day';
                }
            }
            [$statements, $rowsUpserted] = foldUpserts($rows, $category, $parts);
            $counterRows += $rowsUpserted;
            foreach ($statements as $sql) {
                $db->exec($sql);
            }
            $t2 = hrtime(true);
            $flagged = $db->exec('UPDATE event SET counted = 1 WHERE id IN (' . implode(',', $ids) . ")
                AND ts BETWEEN $oldest AND $newest AND counted = 0");
            if ($flagged !== count($rows)) {
                throw new RuntimeException("a fold flagged $flagged of the " . count($rows) . ' events it counted');
            }
            $t3 = hrtime(true);
            $db->commit();
            $t4 = hrtime(true);
            foreach (['select' => $t1 - $t0, 'upserts' => $t2 - $t1, 'flag' => $t3 - $t2, 'commit' => $t4 - $t3] as $part => $ns) {
                $ms[$part][] = $ns / 1e6;
            }
            $folded += count($rows);
        }
        waitForPurge($admin);
        $cpu = (Stats::processCpuMicroseconds($pid) - $cpu0) / max(1, $folded);
        $medians = array_map([Stats::class, 'median'], $ms);
        $results['variants'][$variant][] = ['folded' => $folded, 'server_cpu_us_per_event' => $cpu,
            'counter_rows_per_event' => $counterRows / max(1, $folded), 'ms_per_fold' => $medians];
        say(sprintf('round %d, %s: %s events, %.2f counter rows an event; server CPU %.1f µs an event; a fold: SELECT %.2f, upserts %.2f, flag UPDATE %.2f, commit %.2f ms',
            $round, $variant, fmt($folded), $counterRows / max(1, $folded), $cpu, $medians['select'], $medians['upserts'], $medians['flag'], $medians['commit']));
    }
}

$table = [];
foreach ($results['variants'] as $variant => $runs) {
    $table[] = [$variant, implode(' / ', array_map(static fn ($r) => sprintf('%.1f', $r['server_cpu_us_per_event']), $runs)),
        sprintf('%.2f', $runs[0]['counter_rows_per_event']),
        implode(' / ', array_map(static fn ($r) => sprintf('%.1f, %.1f, %.1f', $r['ms_per_fold']['select'], $r['ms_per_fold']['upserts'], $r['ms_per_fold']['flag']), $runs))];
}
echo "\nMariaDB fold, part by part: " . fmt($n) . " uncounted events a store, folds of $foldRows, $rounds rounds.\n";
echo machine('MariaDB ' . $admin->query('SELECT @@version')->fetchColumn(), $library, $libraryAtStart, $loadAtStart) . "\n\n";
echo markdownTable(['variant', 'server CPU an event (µs, each round)', 'counter rows an event', 'a fold: SELECT / upserts / flag UPDATE (ms, each round)'], $table);
file_put_contents("$work/results-mariadb-fold.json", json_encode($results, JSON_PRETTY_PRINT));
