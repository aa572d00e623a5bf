<?php

declare(strict_types=1);

// What the MariaDB engine relies on from a Galera node, checked on a real cluster: a transaction
// sent one statement per round trip is committed whole or not at all, even when writes
// replicated from other nodes abort it (BF aborts) again and again.
//
// Usage: galera_statements.php SECONDS NODE_URL... (first node: the transactions; the others: the
// conflicting writes). Two sessions on node 1 run START TRANSACTION, UPDATE hot SET a = a + 1,
// UPDATE flag SET b = b + 1, COMMIT in a loop while every other node updates the same hot row in
// autocommit. Afterwards, on every node, a = b = the commits the sessions saw succeed, and c = the
// autocommit updates that succeeded (el_log's INSERT is such a statement).
//
// Then the same transactions sent as one query of two statements (CLIENT_MULTI_STATEMENTS), which
// is why the library does not: on MariaDB 10.11 with galera-4 an abort in the middle of such a
// query commits the statements after it on their own and reports success (RELIABILITY.md,
// finding 14). That run is printed, not checked: it is the server's behaviour, not ours.
//
// Then blocks of ids taken as the library takes them (one autocommit UPDATE … LAST_INSERT_ID(next +
// 1000)), two sessions on every node at once: every block given out exactly once, none skipped.
//
// Usage (its own processes): galera_statements.php worker apart|together|conflict|blocks URL SECONDS

const PROBE_DB = 'rel_probe';

/** mysqli: its multi_query() sends several statements in one query, as the library used to. */
function probe_connect(string $url, ?string $db = PROBE_DB): mysqli
{
    $u = parse_url($url);
    return new mysqli($u['host'], rawurldecode($u['user']), rawurldecode($u['pass'] ?? ''), $db, $u['port'] ?? 3306);
}

mysqli_report(MYSQLI_REPORT_OFF);

if ($argv[1] === 'worker') {
    [, , $mode, $url, $seconds] = $argv;
    $m = probe_connect($url);
    $end = microtime(true) + (float) $seconds;
    $committed = 0;
    $aborted = 0;
    $ends = [];
    while (microtime(true) < $end) {
        if ($mode === 'blocks') {
            // As the library takes a block of ids: one autocommit UPDATE, the block's end from LAST_INSERT_ID.
            if ($m->query('UPDATE id_block SET next = LAST_INSERT_ID(next + 1000) WHERE k = 1')) {
                $ends[] = (int) $m->insert_id;
                $committed++;
            } elseif ($m->errno === 1213) {
                $aborted++;
            } else {
                fwrite(STDERR, "probe blocks: error {$m->errno}: {$m->error}\n");
                exit(1);
            }
            continue;
        }
        if ($mode === 'conflict') {
            $m->query('UPDATE hot SET c = c + 1 WHERE k = 1') ? $committed++ : $aborted++;
            continue;
        }
        $ok = $m->query('START TRANSACTION');
        if ($mode === 'apart') {
            $ok = $ok && $m->query('UPDATE hot SET a = a + 1 WHERE k = 1') && $m->query('UPDATE flag SET b = b + 1 WHERE k = 1');
        } else {
            $ok = $ok && $m->multi_query('UPDATE hot SET a = a + 1 WHERE k = 1; UPDATE flag SET b = b + 1 WHERE k = 1');
            while ($ok && $m->more_results()) {
                $ok = $m->next_result();
            }
        }
        $ok = $ok && $m->query('COMMIT');
        if (!$ok) {
            if ($m->errno !== 1213) {
                fwrite(STDERR, "probe $mode: error {$m->errno}: {$m->error}\n");
                exit(1);
            }
            $m->query('ROLLBACK');
        }
        $ok ? $committed++ : $aborted++;
    }
    echo json_encode(['committed' => $committed, 'aborted' => $aborted, 'ends' => $ends]), "\n";
    exit(0);
}

$seconds = $argv[1];
$urls = array_slice($argv, 2);

/** Runs the two transaction sessions on node 1 against conflicting writers elsewhere (or, for 'blocks', two id takers on every node); returns what they saw and what each node holds. */
function probe_round(string $mode, array $urls, string $seconds): array
{
    $setup = probe_connect($urls[0], null);
    foreach (['DROP DATABASE IF EXISTS ' . PROBE_DB, 'CREATE DATABASE ' . PROBE_DB, 'USE ' . PROBE_DB,
              'CREATE TABLE hot (k INT PRIMARY KEY, a BIGINT NOT NULL, c BIGINT NOT NULL) ENGINE = InnoDB',
              'CREATE TABLE flag (k INT PRIMARY KEY, b BIGINT NOT NULL) ENGINE = InnoDB',
              'CREATE TABLE id_block (k INT PRIMARY KEY, next BIGINT NOT NULL) ENGINE = InnoDB',
              'INSERT INTO hot VALUES (1, 0, 0)', 'INSERT INTO flag VALUES (1, 0)', 'INSERT INTO id_block VALUES (1, 1)'] as $sql) {
        $setup->query($sql) or throw new RuntimeException("$sql: {$setup->error}");
    }
    // DDL returns on node 1 before the other nodes have applied it: a causal read on each node
    // waits until it has, so that no worker starts on a node without the tables.
    foreach ($urls as $url) {
        $m = probe_connect($url, null);
        $m->query('SET SESSION wsrep_sync_wait = 1');
        $m->query('SELECT next FROM ' . PROBE_DB . '.id_block WHERE k = 1') or throw new RuntimeException("the setup on $url: {$m->error}");
        $m->close();
    }
    $workers = $mode === 'blocks'
        ? array_merge(...array_map(static fn (string $u): array => [['blocks', $u], ['blocks', $u]], $urls))
        : [[$mode, $urls[0]], [$mode, $urls[0]], ...array_map(static fn (string $u): array => ['conflict', $u], array_slice($urls, 1))];
    $pipes = [];
    foreach ($workers as [$kind, $url]) {
        $pipes[] = [$kind, popen(sprintf('%s %s worker %s %s %s', escapeshellarg(PHP_BINARY), escapeshellarg(__FILE__), $kind,
            escapeshellarg($url), escapeshellarg($seconds)), 'r')];
    }
    $seen = ['committed' => 0, 'aborted' => 0, 'conflicts' => 0, 'ends' => []];
    foreach ($pipes as [$kind, $pipe]) {
        $out = json_decode((string) stream_get_contents($pipe), true);
        if (pclose($pipe) !== 0 || !is_array($out)) {
            throw new RuntimeException("a $kind worker failed");
        }
        if ($kind === 'conflict') {
            $seen['conflicts'] += $out['committed'];
        } else {
            $seen['committed'] += $out['committed'];
            $seen['aborted'] += $out['aborted'];
            array_push($seen['ends'], ...$out['ends']);
        }
    }
    $held = [];
    foreach ($urls as $n => $url) {
        $m = probe_connect($url);
        $m->query('SET SESSION wsrep_sync_wait = 1');
        $held[$n + 1] = $m->query('SELECT a, b, c, (SELECT next FROM id_block WHERE k = 1) AS next FROM hot JOIN flag USING (k)')->fetch_assoc();
    }
    return [$seen, $held];
}

$errors = [];
[$seen, $held] = probe_round('apart', $urls, $seconds);
printf("  one statement per round trip: %d transactions committed, %d aborted by %d conflicting writes from other nodes\n",
    $seen['committed'], $seen['aborted'], $seen['conflicts']);
if ($seen['aborted'] === 0) {
    $errors[] = 'no transaction was aborted: the check did not test anything';
}
foreach ($held as $node => $row) {
    printf("    node %d: a = %d, b = %d, c = %d\n", $node, $row['a'], $row['b'], $row['c']);
    if ((int) $row['a'] !== $seen['committed'] || (int) $row['b'] !== $seen['committed']) {
        $errors[] = "node $node holds a = {$row['a']}, b = {$row['b']} for {$seen['committed']} transactions seen committed";
    }
    // The conflicting writes are single autocommit statements, as el_log's INSERT is.
    if ((int) $row['c'] !== $seen['conflicts']) {
        $errors[] = "node $node holds c = {$row['c']} for {$seen['conflicts']} autocommit updates seen committed";
    }
}
// Blocks of ids, as the library takes them: two sessions on every node at once. Every block a
// session was given must be its own (no two sessions given one end) and every end the row reached
// given to someone (1001, 2001, … up to the row's final value, none missing).
[$seen, $held] = probe_round('blocks', $urls, $seconds);
$ends = $seen['ends'];
sort($ends);
printf("  blocks of 1,000 ids, two sessions on each node: %d taken, %d aborted; the row ends at %d\n",
    count($ends), $seen['aborted'], $held[1]['next']);
if ($seen['aborted'] === 0) {
    $errors[] = 'blocks: no id_block update was aborted: the round did not test conflicts';
}
if ($ends !== range(1001, max(1001, (int) $held[1]['next']), 1000)) {
    $errors[] = 'blocks: the ends given out (' . count($ends) . ', ' . (count($ends) - count(array_unique($ends)))
        . " repeated) are not exactly 1001, 2001, … {$held[1]['next']}";
}
foreach ($held as $node => $row) {
    if ((int) $row['next'] !== (int) $held[1]['next']) {
        $errors[] = "blocks: node $node's row ends at {$row['next']}, node 1's at {$held[1]['next']}";
    }
}
[$seen, $held] = probe_round('together', $urls, $seconds);
printf("  (not checked) two statements in one query: %d transactions seen committed, %d aborted; node 1 holds a = %d, b = %d\n",
    $seen['committed'], $seen['aborted'], $held[1]['a'], $held[1]['b']);
probe_connect($urls[0], null)->query('DROP DATABASE ' . PROBE_DB);
foreach ($errors as $e) {
    fwrite(STDERR, "  WRONG: $e\n");
}
exit($errors === [] ? 0 : 1);
