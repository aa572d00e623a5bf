<?php

declare(strict_types=1);

/*
 * `LIBRARY_B=… bench/run.sh mariadb log-ab`: the MariaDB bench's `el_log`
 * row for two builds of the library, each against the PDO peer on its own
 * build's event table (a build that changes the table changes the peer's
 * too), in the same sitting: ROUNDS rounds (8) of LOG events (5,000), one
 * commit each, into fresh databases, the four sides in an order that
 * rotates each round; the server's CPU an event from /proc as the bench
 * measures it. Prints each round and the medians. An experiment against its
 * baseline (BENCHMARKS.md, the MariaDB el_log item); not a target, not
 * part of `make bench`.
 *
 *   php bench/maria-log-ab.php WORKDIR SERVER_URL LIBRARY_A LIBRARY_B
 */

use StreamEvents\Bench\PdoPeer;
use StreamEvents\Bench\Stats;

require __DIR__ . '/functions.php';

[, $work, $server, $libA, $libB] = $argv + [null, null, null, null, null];
$libB !== null || exit("usage: maria-log-ab.php WORKDIR SERVER_URL LIBRARY_A LIBRARY_B\n");
$log = (string) (int) (getenv('LOG') ?: 5_000);
$rounds = (int) (getenv('ROUNDS') ?: 8);
$serverPid = (int) getenv('BENCH_MARIADB_PID') ?: exit("maria-log-ab.php: BENCH_MARIADB_PID is not set (bench/run.sh sets it)\n");
$loadAtStart = sys_getloadavg()[0];
[$dsn, $user, $password] = PdoPeer::mysqlDsn($server);
$admin = new PDO($dsn, $user, $password, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$url = static fn (string $db): string => rtrim($server, '/') . "/$db";
$logStart = (int) (microtime(true) * 1000) - 2 * 3_600_000; // as maria.php: the peer's rows in the last hours

/** A store of $library in $db with the benchmark directory, made in a process of its own (one library a process). */
$elStore = static function (string $library, string $db) use ($admin, $url): string {
    dropDb($admin, $db);
    putenv("STREAM_EVENTS_LIB=$library");
    run(['php', '-d', 'ffi.enable=1', '-r', 'require $argv[1]; freshStore("el", $argv[2]); echo "{}";', __DIR__ . '/functions.php', $url($db)]);
    return $url($db);
};
$elStore($libA, 'ab_tpl_a'); // the tables each peer copies
$elStore($libB, 'ab_tpl_b');
$sides = ['A' => ['el', $libA, 'ab_tpl_a'], 'pdoA' => ['pdo', $libA, 'ab_tpl_a'], 'B' => ['el', $libB, 'ab_tpl_b'], 'pdoB' => ['pdo', $libB, 'ab_tpl_b']];
$runs = array_fill_keys(array_keys($sides), []);
for ($r = 0; $r < $rounds; $r++) {
    foreach (rotation(array_keys($sides), $r) as $name) {
        [$side, $library, $template] = $sides[$name];
        if ($side === 'el') {
            $store = $elStore($library, 'ab_log');
        } else {
            dropDb($admin, 'ab_log');
            peerTables($admin, $template, 'ab_log');
            $store = $url('ab_log');
        }
        putenv("STREAM_EVENTS_LIB=$library"); // the worker inherits it
        exec('sync');
        $db0 = Stats::processCpuMicroseconds($serverPid);
        $res = run(worker('log', $side, $store, $log, (string) (SEED + 1), (string) $logStart, '-'));
        $db1 = Stats::processCpuMicroseconds($serverPid);
        if ($res['errors'] > 0) {
            throw new RuntimeException("$name: {$res['firstError']}");
        }
        $runs[$name][] = ['events_per_s' => $res['events'] / $res['seconds'], 'php_us' => $res['cpu_us'] / $res['events'],
            'server_us' => ($db1 - $db0) / $res['events']];
        say(sprintf('round %d, %s: %s events/s, CPU an event: PHP %.0f µs, server %.0f µs', $r + 1, $name,
            fmt($res['events'] / $res['seconds']), $res['cpu_us'] / $res['events'], ($db1 - $db0) / $res['events']));
    }
}
dropDb($admin, 'ab_log');
dropDb($admin, 'ab_tpl_a');
dropDb($admin, 'ab_tpl_b');

$median = static fn (string $name, string $key): float => Stats::median(array_column($runs[$name], $key));
printf("\nMariaDB el_log, two builds, each against PDO on its own event table: %s events a block, %d rounds.\n", fmt((float) $log), $rounds);
echo machine('MariaDB ' . $admin->query('SELECT @@version')->fetchColumn(), $libA, libraryId($libA), $loadAtStart),
    "\nB: $libB (" . libraryId($libB) . ")\n\n";
$table = [];
foreach ($runs as $name => $each) {
    $table[] = [$name, fmt($median($name, 'events_per_s')), implode(' / ', array_map(static fn ($x) => fmt($x['events_per_s']), $each)),
        sprintf('%.0f / %.0f', $median($name, 'php_us'), $median($name, 'server_us'))];
}
echo markdownTable(['side', 'events/s (median)', 'each round', 'CPU an event, PHP / server (µs, medians)'], $table);
printf("\nA: %s PDO; B: %s its PDO, %s A's PDO; B against A: %s\n", ratio($median('A', 'events_per_s'), $median('pdoA', 'events_per_s')),
    ratio($median('B', 'events_per_s'), $median('pdoB', 'events_per_s')), ratio($median('B', 'events_per_s'), $median('pdoA', 'events_per_s')),
    ratio($median('B', 'events_per_s'), $median('A', 'events_per_s')));
