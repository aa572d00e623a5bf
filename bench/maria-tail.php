<?php

declare(strict_types=1);

/*
 * `bench/run.sh mariadb tail`: would a tail table make the MariaDB engine's
 * writers cheaper? An experiment, not the library: each side is plain PDO
 * (one prepared autocommit INSERT an event, as the bench's peer), so the
 * client's work is the same and what differs is what the server does.
 *
 *   peer  INSERT into the event table (the library's, ids AUTO_INCREMENT);
 *         nothing folds: the bench's PDO peer
 *   fold  the same INSERT, and a folding process beside the writers that
 *         takes 512 uncounted events at a time as the library's fold thread
 *         does: SELECT by event_uncounted, the counter upserts, UPDATE
 *         counted = 1, one transaction
 *   tail  INSERT into event_tail (the same columns, only a primary key), and
 *         a folding process that takes its 512 oldest rows at a time: the
 *         counter upserts, INSERT … SELECT into event (without `counted`
 *         and event_uncounted, which the tail replaces), DELETE, one
 *         transaction
 *
 * With 1 and with 8 writer processes (WRITERS), LOG events each (5,000),
 * ROUNDS rounds (3), sides in alternating order. Reports the writers'
 * events/s and the server's CPU an event (mariadbd's, from the writers'
 * start until the folder has drained and purge has caught up).
 *
 *   php bench/maria-tail.php WORKDIR SERVER_URL
 *   php bench/maria-tail.php writer SERVER_URL DATABASE SIDE COUNT SEED GOFILE
 *   php bench/maria-tail.php folder SERVER_URL DATABASE SIDE STOPFILE
 */

use StreamEvents\Bench\ElSide;
use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Rows;
use StreamEvents\Bench\Stats;

require __DIR__ . '/functions.php';

const FOLD_ROWS = 512;

$connect = static function (string $server, string $database): PDO {
    [$dsn, $user, $password] = PdoPeer::mysqlDsn($server);
    return new PDO("$dsn;dbname=$database", $user, $password,
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_EMULATE_PREPARES => false]);
};

if (($argv[1] ?? '') === 'writer') {
    [, , $server, $database, $side, $count, $seed, $go] = $argv;
    $db = $connect($server, $database);
    $insert = $db->prepare('INSERT INTO ' . ($side === 'tail' ? 'event_tail' : 'event') . ' (' . PdoPeer::COLUMNS
        . ') VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    $rows = [];
    foreach ((new Rows((int) $seed))->generate((int) $count, (int) (microtime(true) * 1000) - 7_200_000, 3_600_000) as [, $columns]) {
        $rows[] = $columns;
    }
    while (!file_exists($go)) {
        usleep(200);
    }
    $start = hrtime(true);
    foreach ($rows as $columns) {
        $insert->execute($columns);
    }
    echo json_encode(['start_ns' => $start, 'end_ns' => hrtime(true)]), "\n";
    exit(0);
}

if (($argv[1] ?? '') === 'folder') {
    [, , $server, $database, $side, $stop] = $argv;
    $db = $connect($server, $database);
    $db->exec('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    $category = array_column($db->query('SELECT code, category FROM event_type')->fetchAll(PDO::FETCH_NUM), 1, 0);
    $tables = ['count_day', 'count_hour', 'count_service_type_day', 'count_service_category_day'];
    $folded = 0;
    while (true) {
        $stopping = file_exists($stop); // the writers are done: fold what is left, then stop
        $db->beginTransaction();
        $rows = $db->query($side === 'tail'
            ? 'SELECT ts, id, type, actor_type, service_id FROM event_tail ORDER BY id LIMIT ' . FOLD_ROWS . ' FOR UPDATE'
            : 'SELECT ts, id, type, actor_type, service_id FROM event FORCE INDEX (event_uncounted) WHERE counted = 0 LIMIT ' . FOLD_ROWS)
            ->fetchAll(PDO::FETCH_NUM);
        if (count($rows) < ($stopping ? 1 : FOLD_ROWS)) { // as a writer folds: once FOLD_ROWS are waiting
            $db->rollBack();
            if ($stopping) {
                break;
            }
            usleep(2_000);
            continue;
        }
        foreach (foldUpserts($rows, $category, $tables)[0] as $sql) {
            $db->exec($sql);
        }
        $ids = implode(',', array_column($rows, 1));
        if ($side === 'tail') {
            $db->exec('INSERT INTO event (id, ' . PdoPeer::COLUMNS . ', logged_at) SELECT id, ' . PdoPeer::COLUMNS
                . ", logged_at FROM event_tail WHERE id IN ($ids)");
            $db->exec("DELETE FROM event_tail WHERE id IN ($ids)");
        } else {
            $ts = array_column($rows, 0);
            $db->exec("UPDATE event SET counted = 1 WHERE id IN ($ids) AND ts BETWEEN " . min($ts) . ' AND ' . max($ts) . ' AND counted = 0');
        }
        $db->commit();
        $folded += count($rows);
    }
    echo json_encode(['folded' => $folded]), "\n";
    exit(0);
}

[, $work, $server] = $argv + [null, null, null];
$server !== null && str_starts_with($server, 'mysql://') || exit("usage: maria-tail.php WORKDIR mysql://user:password@host:port\n");
$log = (int) (getenv('LOG') ?: 5_000);
$rounds = (int) (getenv('ROUNDS') ?: 3);
$writerCounts = array_map('intval', explode(',', getenv('WRITERS') ?: '1,8'));
$pid = (int) getenv('BENCH_MARIADB_PID') ?: exit("maria-tail.php: BENCH_MARIADB_PID is not set (bench/run.sh sets it)\n");
$library = getenv('STREAM_EVENTS_LIB');
$libraryAtStart = libraryId($library);
$loadAtStart = sys_getloadavg()[0];
[$dsn, $user, $password] = PdoPeer::mysqlDsn($server);
$admin = new PDO($dsn, $user, $password, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
dropDb($admin, 'tail_tpl');
ElSide::open(rtrim($server, '/') . '/tail_tpl')->log->close(); // the library's tables, to copy

/** A new database with the library's event and counter tables, laid out for $side. */
$prepare = static function (string $side) use ($admin): string {
    dropDb($admin, 'tail_x');
    $admin->exec('CREATE DATABASE tail_x');
    foreach (['event', 'event_type', 'count_day', 'count_hour', 'count_service_type_day', 'count_service_category_day'] as $t) {
        $admin->exec("CREATE TABLE tail_x.$t LIKE tail_tpl.$t");
    }
    $admin->exec('INSERT INTO tail_x.event_type SELECT * FROM tail_tpl.event_type');
    if ($side === 'tail') {
        $admin->exec('ALTER TABLE tail_x.event DROP KEY event_uncounted, DROP COLUMN counted');
        $admin->exec('CREATE TABLE tail_x.event_tail (
            id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, ts BIGINT NOT NULL, type SMALLINT NOT NULL, service_id BIGINT NOT NULL,
            actor_type TINYINT NOT NULL, actor_id BIGINT NULL, actor_name TEXT NULL, dj_name TEXT NULL, source_ip TEXT NULL,
            takeover TINYINT NULL, details MEDIUMTEXT NULL, service_name TEXT NULL, owner_id BIGINT NULL, owner_name TEXT NULL,
            message TEXT NOT NULL, logged_at BIGINT NOT NULL DEFAULT (UNIX_TIMESTAMP(NOW(6)) * 1000000)) ENGINE = InnoDB');
    } else {
        $admin->exec('ALTER TABLE tail_x.event MODIFY id BIGINT NOT NULL AUTO_INCREMENT'); // as the peer's
    }
    return 'tail_x';
};

$results = ['log' => $log, 'rounds' => $rounds, 'foldRows' => FOLD_ROWS, 'runs' => []];
for ($round = 1; $round <= $rounds; $round++) {
    foreach ($writerCounts as $writers) {
        foreach ($round % 2 ? ['peer', 'fold', 'tail'] : ['tail', 'fold', 'peer'] as $side) {
            $database = $prepare($side);
            waitForPurge($admin);
            $go = "$work/tmp/tail-go";
            $stop = "$work/tmp/tail-stop";
            @unlink($go);
            @unlink($stop);
            $folder = $side === 'peer' ? null : spawn(['php', __FILE__, 'folder', $server, $database, $side, $stop]);
            $spawned = [];
            for ($w = 0; $w < $writers; $w++) {
                $spawned[] = spawn(['php', __FILE__, 'writer', $server, $database, $side, (string) $log, (string) (SEED + 100 * $round + $w), $go]);
            }
            usleep(300_000 + 100_000 * $writers); // each writer's rows made
            $cpu0 = Stats::processCpuMicroseconds($pid);
            touch($go);
            $runs = array_map('collect', $spawned);
            $seconds = (max(array_column($runs, 'end_ns')) - min(array_column($runs, 'start_ns'))) / 1e9;
            touch($stop);
            $folded = $folder === null ? 0 : collect($folder)['folded'];
            waitForPurge($admin);
            $events = $log * $writers;
            $cpu = (Stats::processCpuMicroseconds($pid) - $cpu0) / $events;
            $stored = (int) $admin->query("SELECT COUNT(*) FROM $database.event")->fetchColumn();
            if ($stored !== $events || ($folder !== null && $folded !== $events)) {
                throw new RuntimeException("$side: $stored events stored and $folded folded of $events");
            }
            $results['runs'][$side][$writers][] = ['events_per_s' => $events / $seconds, 'server_cpu_us_per_event' => $cpu];
            say(sprintf('round %d, %s, %d writer%s: %s events/s, server CPU %.1f µs an event', $round, $side, $writers,
                $writers === 1 ? '' : 's', fmt($events / $seconds), $cpu));
        }
    }
}
dropDb($admin, 'tail_x');
dropDb($admin, 'tail_tpl');

$table = [];
$median = static fn (string $side, int $writers): float => Stats::median(array_column($results['runs'][$side][$writers], 'events_per_s'));
foreach ($writerCounts as $writers) {
    foreach (['peer', 'fold', 'tail'] as $side) {
        $runs = $results['runs'][$side][$writers];
        $table[] = [$side, (string) $writers, implode(' / ', array_map(static fn ($r) => fmt($r['events_per_s']), $runs)),
            ratio($median($side, $writers), $median('peer', $writers)),
            $writers === 1 || !in_array(1, $writerCounts, true) ? '—' : ratio($median($side, $writers), $median($side, 1)),
            implode(' / ', array_map(static fn ($r) => sprintf('%.1f', $r['server_cpu_us_per_event']), $runs))];
    }
}
$md = "MariaDB writers: the event table against a tail table. " . fmt($log) . " events a writer, folds of " . FOLD_ROWS . ", $rounds rounds.\n"
    . machine('MariaDB ' . $admin->query('SELECT @@version')->fetchColumn(), $library, $libraryAtStart, $loadAtStart) . "\n\n"
    . markdownTable(['side', 'writers', 'events/s (each round)', 'median against peer', 'median against 1 writer', 'server CPU an event (µs, each round)'], $table);
echo "\n$md";
writeResults($work, 'mariadb-tail', $md, json_encode($results, JSON_PRETTY_PRINT));
