<?php

declare(strict_types=1);

// Shared helpers of the reliability scripts: every script goes through the real
// bridge (php-bridge/src/EventLog.php) to the real libeventlog.so.

require dirname(__DIR__, 2) . '/php-bridge/autoload.php';

use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

const DAY_MS = 86_400_000;

/** Opens the store with the admin in its directory (every principal must be an account of its role). */
function rel_open(string $store, array $options = []): EventLog
{
    $log = EventLog::open($store, $options);
    try {
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada Admin']], []);
    } catch (EventLogException) {
        // A read-only or full store: the tests that open one check its reads.
    }
    return $log;
}

/**
 * The time prunes run at: 15 days ahead, so that events 20 days old (the
 * writers' "old" events: older ones are refused at el_log) are past a
 * 30-day window while events of today are not.
 */
function rel_prune_now(): int
{
    return rel_now_ms() + 15 * DAY_MS;
}

/** An event of a rotating type that carries $tag in details.tag, so it can be found again. */
function rel_event(int $serviceId, string $tag, int $i, ?int $timeMs = null): array
{
    $e = match ($i % 4) {
        0 => ['type' => 'dj.connect', 'djName' => "DJ $tag", 'sourceIp' => '203.0.113.' . ($i % 250 + 1),
              'actor' => ['type' => 'dj', 'id' => null, 'name' => "DJ $tag"], 'details' => ['tag' => $tag]],
        1 => ['type' => 'service.title_update', 'actor' => ['type' => 'api', 'id' => null, 'name' => null],
              'details' => ['title' => "Song $i", 'tag' => $tag]],
        2 => ['type' => 'mount.connect', 'sourceIp' => '2001:db8::' . dechex($i % 65535 + 1),
              'actor' => ['type' => 'system', 'id' => null, 'name' => null],
              'details' => ['mount' => '/live', 'server' => 'icecast', 'port' => 8000, 'tag' => $tag]],
        default => ['type' => 'service.restart', 'actor' => ['type' => 'user', 'id' => 1, 'name' => 'Root'],
              'details' => ['tag' => $tag]],
    };
    $e['serviceId'] = $serviceId;
    if ($timeMs !== null) {
        $e['time'] = $timeMs;
    }
    return $e;
}

/**
 * Streams every event an admin may see through the real export (jsonl), one
 * decoded row at a time, without holding the whole export in memory; an id
 * seen twice is an error (unless $repeatsOk: the caller reports them itself).
 */
function rel_export_each(EventLog $log, callable $each, array $filter = [], bool $repeatsOk = false): int
{
    $seen = [];
    $buffer = '';
    $n = 0;
    $take = static function (string $line) use ($each, &$seen, &$n, $repeatsOk): void {
        $row = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
        if (isset($seen[$row['id']]) && !$repeatsOk) {
            throw new RuntimeException("export line $n repeats event id {$row['id']}");
        }
        $seen[$row['id']] = true;
        $n++;
        $each($row);
    };
    foreach ($log->export(Principal::admin(1), $filter, 'jsonl') as $chunk) {
        $buffer .= $chunk;
        $end = strrpos($buffer, "\n");
        if ($end !== false) {
            foreach (explode("\n", substr($buffer, 0, $end)) as $line) {
                $take($line);
            }
            $buffer = substr($buffer, $end + 1);
        }
    }
    if ($buffer !== '') {
        throw new RuntimeException('the jsonl export ends in a partial line: ' . substr($buffer, 0, 80));
    }
    return $n;
}

/** Every event an admin may see: id => decoded row (small stores only). */
function rel_export_all(EventLog $log): array
{
    $rows = [];
    rel_export_each($log, function (array $row) use (&$rows): void {
        $rows[$row['id']] = $row;
    });
    return $rows;
}

/**
 * What a worker started now (a new PHP process, with this one's environment)
 * reads from $store: "TOTAL ROWS" (the admin's total and the rows the export
 * lists), or "STATUS: message" if the library refuses.
 */
function rel_worker_reads(string $store): string
{
    $code = 'require ' . var_export(__FILE__, true) . '; try { $log = StreamEvents\EventLog::open($argv[1]);'
        . ' echo $log->query(StreamEvents\Principal::admin(1), ["perPage" => 1])["total"], " ", count(rel_export_all($log)); }'
        . ' catch (StreamEvents\Exception\EventLogException $e) { echo $e->statusName(), ": ", $e->getMessage(); }';
    return trim((string) shell_exec(PHP_BINARY . ' -d ffi.enable=1 -r ' . escapeshellarg($code) . ' ' . escapeshellarg($store) . ' 2>&1'));
}

/**
 * Once a fault has passed: $count more events and a batch of two on the same
 * handle, added to $acked (id => tag; the batch's under -1 and -2). Returns
 * what went wrong, or null.
 */
function rel_log_again(EventLog $log, array &$acked, int $count): ?string
{
    try {
        for ($i = 0; $i < $count; $i++) {
            $acked[$log->log(rel_event(7, "after-$i", $i))] = "after-$i";
        }
        $log->logBatch([rel_event(7, 'after-b0', 0), rel_event(7, 'after-b1', 1)]);
        $acked[-1] = 'after-b0';
        $acked[-2] = 'after-b1';
        return null;
    } catch (EventLogException $e) {
        return $e->getMessage();
    }
}

/**
 * Every acknowledged event ($acked: id => tag, ids below 1 for a batch's) is
 * stored exactly once, under its id, and no event whose tag $refused accepts
 * (an event whose el_log failed) is. Returns the mismatches.
 */
function rel_acked_errors(EventLog $log, array $acked, callable $refused): array
{
    $errors = [];
    $stored = [];
    foreach (rel_export_all($log) as $id => $row) {
        $tag = $row['details']['tag'];
        $stored[$tag][] = $id;
        if ($refused($tag)) {
            $errors[] = "event $tag whose el_log failed is stored";
        }
    }
    foreach ($acked as $id => $tag) {
        if (count($stored[$tag] ?? []) !== 1 || ($id > 0 && $stored[$tag][0] !== $id)) {
            $errors[] = "acked $tag (id $id) is stored as [" . implode(',', $stored[$tag] ?? []) . ']';
        }
    }
    return $errors;
}

/**
 * The calls stored without their acknowledgement (those in flight when the
 * writers were killed): group => its tags, a batch's five events one group.
 * A batch stored in part is added to $errors.
 */
function rel_unacked_calls(array $storedTags, array $acked, array &$errors): array
{
    $unacked = [];
    foreach ($storedTags as $tag) {
        if (!isset($acked[$tag])) {
            $unacked[preg_replace('/^(.*-b\d+)-\d+$/', '$1', $tag)][] = $tag;
        }
    }
    foreach ($unacked as $group => $tags) {
        if (preg_match('/-b\d+$/', $group) && count($tags) !== rel_batch_size($group)) {
            $errors[] = "unacked batch $group is half-written: " . count($tags) . ' of ' . rel_batch_size($group) . ' events';
        }
    }
    return $unacked;
}

/**
 * The events in writer.php's batch $tag (PREFIX-bN): 5, and 200 in every
 * fourth, big enough (over 16 KB) for the library to validate it on a
 * thread of its own while it stores it, so that writers are also killed
 * in the middle of such a batch.
 */
function rel_batch_size(string $tag): int
{
    return preg_match('/-b(\d+)$/', $tag, $m) && (int) $m[1] % 4 === 3 ? 200 : 5;
}

/** Is $store a MariaDB database (mysql://...) rather than an SQLite file? */
function rel_is_mariadb(string $store): bool
{
    return str_starts_with($store, 'mysql://');
}

/**
 * Another store beside $store, called $name: the file $name.sqlite in its
 * folder, or on MariaDB the database <its database>_$name on the same server.
 */
function rel_store_named(string $store, string $name): string
{
    if (rel_is_mariadb($store)) {
        return preg_replace('~^(mysql://[^/]*/[^?]*)~', '${1}_' . $name, $store);
    }
    return dirname($store) . "/$name.sqlite";
}

/**
 * What a reader can check on either engine: every page total (for each of
 * $filters; by default all events, a category, an actor type) equals the
 * rows the export lists for the same filter. Returns the mismatches.
 */
function rel_totals_errors(EventLog $log, array $filters = [[], ['category' => 'dj'], ['actor' => 'system']]): array
{
    $errors = [];
    foreach ($filters as $filter) {
        $total = $log->query(Principal::admin(1), $filter + ['perPage' => 1])['total'];
        $rows = rel_export_each($log, static function (): void {}, $filter);
        if ($total !== $rows) {
            $errors[] = "total $total != $rows exported for " . json_encode($filter);
        }
    }
    return $errors;
}

/** PRAGMA integrity_check through a separate SQLite connection (read only); MariaDB: "n/a" (InnoDB's own). */
function rel_integrity(string $store): string
{
    if (rel_is_mariadb($store)) {
        return 'n/a';
    }
    $db = new SQLite3($store, SQLITE3_OPEN_READONLY);
    $db->busyTimeout(10_000);
    $result = $db->querySingle('PRAGMA integrity_check');
    $db->close();
    return (string) $result;
}

/** Removes a store with its WAL and shared-memory files, as an operator replacing it would. */
function rel_remove_store(string $store): void
{
    foreach (['', '-wal', '-shm'] as $suffix) {
        @unlink($store . $suffix);
    }
}

/** Copies the store's WAL into its file (another process's checkpoint, as any worker's). */
function rel_checkpoint(string $store): void
{
    $db = new SQLite3($store);
    $db->busyTimeout(10_000);
    $db->exec('PRAGMA wal_checkpoint(TRUNCATE)');
    $db->close();
}

function rel_now_ms(): int
{
    return (int) floor(microtime(true) * 1000);
}
