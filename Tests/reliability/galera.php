<?php

declare(strict_types=1);

// A panel process on one node of a Galera cluster, and the check afterwards.
//
// Usage: galera.php write STORE ACK_FILE PREFIX single|keyed|batch STOP_FILE
//   Logs until STOP_FILE exists, each event tagged PREFIX-N (details.tag), and appends to
//   ACK_FILE, before its next call: "S id tag" (acked single), "K id tag" (acked single with
//   deliveryKey = tag), "B 5 tag" (acked batch tag-0..tag-4), or "U tag" / "UB tag": a call
//   whose outcome is unknown, never retried. EL_EIO and EL_EBUSY are expected while the node
//   is down; the writer stays on its node and tries again:
//   single, batch: the same again after EL_EBUSY (rolled back, nothing stored); after EL_EIO
//           (a lost connection: the library says the outcome is unknown) an "U"/"UB" and the
//           next one, since a retry without a key could store it twice;
//   keyed:  the same event again, whatever failed: its deliveryKey makes a retry harmless.
//   Any other failure ends the writer (exit 1). Prints one line of JSON figures.
// Usage: galera.php verify STORE... -- ACK_FILE...
//   On every node's STORE: each acked event present exactly once with its id, a batch all or
//   nothing, an unknown one at most once, nothing else, no two events with one id; the page
//   total equals the exported rows and the acks; pages 1..N (perPage 100, admin) list exactly
//   the export's ids in its order; and every node holds the same events.

require __DIR__ . '/lib.php';

use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

// Short timeouts: a call on a dead node fails within seconds instead of the default 30.
const GALERA_OPTIONS = ['connectTimeoutMs' => 2000, 'readTimeoutMs' => 10000, 'busyTimeoutMs' => 5000];

if ($argv[1] === 'write') {
    [, , $store, $ackFile, $prefix, $mode, $stop] = $argv;
    $ack = fopen($ackFile, 'ab');
    $log = rel_open($store, GALERA_OPTIONS);
    $service = 100 + crc32($prefix) % 20;
    $stats = ['writer' => $prefix, 'acked' => 0, 'unknown' => 0, 'EL_EIO' => 0, 'EL_EBUSY' => 0, 'ackedAfterFailure' => 0, 'longestCallMs' => 0];
    for ($i = 0; !file_exists($stop); $i++) {
        $tag = $mode === 'batch' ? "$prefix-b$i" : "$prefix-$i";
        $event = rel_event($service, $tag, $i);
        if ($mode === 'keyed') {
            $event['deliveryKey'] = $tag;
        }
        while (true) {
            $t = microtime(true);
            try {
                if ($mode === 'batch') {
                    $log->logBatch(array_map(static fn (int $k): array => rel_event($service, "$tag-$k", $i + $k), range(0, 4)));
                    $line = "B 5 $tag";
                } else {
                    $line = ($mode === 'keyed' ? 'K ' : 'S ') . $log->log($event) . " $tag";
                }
                fwrite($ack, "$line\n");
                fflush($ack);
                $stats['acked']++;
                $stats['ackedAfterFailure'] += $stats['EL_EIO'] + $stats['EL_EBUSY'] > 0 ? 1 : 0;
                break;
            } catch (EventLogException $e) {
                $status = $e->getCode() === EventLogException::EL_EIO ? 'EL_EIO' : ($e->getCode() === EventLogException::EL_EBUSY ? 'EL_EBUSY' : null);
                if ($status === null) {
                    fwrite(STDERR, "writer $prefix: " . get_class($e) . ": {$e->getMessage()}\n");
                    exit(1);
                }
                $stats[$status]++;
                $unknown = $mode !== 'keyed' && $status === 'EL_EIO';
                if ($unknown) {
                    fwrite($ack, ($mode === 'batch' ? 'UB ' : 'U ') . "$tag\n");
                    fflush($ack);
                    $stats['unknown']++;
                    usleep(100_000);
                    break;
                }
                usleep(100_000);
            } finally {
                $stats['longestCallMs'] = max($stats['longestCallMs'], (int) ((microtime(true) - $t) * 1000));
            }
        }
    }
    echo json_encode($stats), "\n";
    exit(0);
}

// ---- verify ---------------------------------------------------------------------

/** A PDO connection to the store at $url (a node's database), beside the library. */
function node_pdo(string $url): PDO
{
    $u = parse_url($url);
    return new PDO("mysql:host={$u['host']};port={$u['port']};dbname=" . ltrim($u['path'], '/'),
        rawurldecode($u['user']), rawurldecode($u['pass'] ?? ''), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
}

/**
 * Where a total is wrong, which counters disagree with the rows: per UTC day, type and actor,
 * the day counter against the events flagged counted and the events still uncounted (a
 * counted event missing from its counter means a fold flagged rows it did not add up).
 * Read with PDO, beside the library, so the check does not go through the code it checks.
 *
 * @return list<string>
 */
function counter_differences(string $url): array
{
    $pdo = node_pdo($url);
    $rows = $pdo->query('SELECT e.d, e.type, e.actor_type, e.counted_rows, e.uncounted_rows, COALESCE(c.n, 0) AS n
        FROM (SELECT ts - MOD(ts, 86400000) AS d, type, actor_type, SUM(counted = 1) AS counted_rows, SUM(counted = 0) AS uncounted_rows
              FROM event GROUP BY 1, 2, 3) e
        LEFT JOIN count_day c ON c.ts = e.d AND c.type = e.type AND c.actor_type = e.actor_type
        WHERE COALESCE(c.n, 0) <> e.counted_rows')->fetchAll(PDO::FETCH_ASSOC);
    return array_map(static fn (array $r): string => sprintf('count_day(day %s, type %d, actor %d) = %d, but %d events are flagged counted (%d uncounted)',
        gmdate('Y-m-d', intdiv((int) $r['d'], 1000)), $r['type'], $r['actor_type'], $r['n'], $r['counted_rows'], $r['uncounted_rows']), $rows);
}
/**
 * Per-category service-day counters that are not their category's per-type counters summed
 * (every fold adds to both; a fold on one node and a fold on another must not leave them apart).
 *
 * @return list<string>
 */
function category_counter_differences(string $url): array
{
    $pdo = node_pdo($url);
    $rows = $pdo->query('SELECT s.service_id, s.category, s.ts, s.n, c.n AS category_n FROM (
            SELECT t.service_id, y.category, t.ts, SUM(t.n) AS n FROM count_service_type_day t JOIN event_type y ON y.code = t.type GROUP BY 1, 2, 3
        ) AS s LEFT JOIN count_service_category_day c USING (service_id, category, ts) WHERE c.n IS NULL OR c.n <> s.n
        UNION ALL SELECT c.service_id, c.category, c.ts, NULL, c.n FROM count_service_category_day c
        WHERE NOT EXISTS (SELECT 1 FROM count_service_type_day t JOIN event_type y ON y.code = t.type
                          WHERE t.service_id = c.service_id AND t.ts = c.ts AND y.category = c.category)')->fetchAll(PDO::FETCH_ASSOC);
    return array_map(static fn (array $r): string => sprintf('count_service_category_day(service %d, %s, day %s) = %s, its types summed %s',
        $r['service_id'], $r['category'], gmdate('Y-m-d', intdiv((int) $r['ts'], 1000)), $r['category_n'] ?? 'none', $r['n'] ?? 'none'), $rows);
}
$split = array_search('--', $argv, true);
$stores = array_slice($argv, 2, $split - 2);
$ackFiles = array_slice($argv, $split + 1);
$errors = [];
$acked = []; // tag => ['S'|'K', id] or ['B']
$unknown = []; // tag => 'U'|'UB'
foreach ($ackFiles as $file) {
    foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
        $f = explode(' ', $line);
        match ($f[0]) {
            'S', 'K' => $acked[$f[2]] = [$f[0], (int) $f[1]],
            'B' => $acked[$f[2]] = ['B'],
            'U', 'UB' => $unknown[$f[1]] = $f[0],
            default => $errors[] = "$file: torn ack line '$line'",
        };
    }
}
$ackedEvents = 0;
foreach ($acked as $a) {
    $ackedEvents += $a[0] === 'B' ? 5 : 1;
}

$first = null;
foreach ($stores as $n => $store) {
    $node = 'node ' . ($n + 1);
    $log = rel_open($store, GALERA_OPTIONS);
    $sequence = []; // export order: [id, tag]
    $byTag = [];
    $byId = [];
    $services = [];
    rel_export_each($log, function (array $row) use (&$sequence, &$byTag, &$byId, &$services): void {
        $services[$row['serviceId']] = true;
        $tag = $row['details']['tag'] ?? '?';
        $sequence[] = [$row['id'], $tag];
        $byTag[$tag][] = $row['id'];
        $byId[$row['id']][] = "$tag at {$row['timestamp']}";
    }, [], true);
    foreach ($byId as $id => $events) {
        if (count($events) > 1) {
            $errors[] = "$node: " . count($events) . " events share id $id: " . implode(', ', $events);
        }
    }
    $storedUnknown = 0;
    foreach ($acked as $tag => $a) {
        if ($a[0] === 'B') {
            for ($k = 0; $k < 5; $k++) {
                if (count($byTag["$tag-$k"] ?? []) !== 1) {
                    $errors[] = "$node: acked batch event $tag-$k stored " . count($byTag["$tag-$k"] ?? []) . ' times';
                }
            }
        } elseif (($byTag[$tag] ?? []) !== [$a[1]]) {
            $errors[] = "$node: acked event $tag (id {$a[1]}) stored as ids [" . implode(',', $byTag[$tag] ?? []) . ']';
        }
    }
    foreach ($unknown as $tag => $kind) {
        $counts = $kind === 'UB' ? array_map(static fn (int $k): int => count($byTag["$tag-$k"] ?? []), range(0, 4)) : [count($byTag[$tag] ?? [])];
        if (max($counts) > 1 || ($kind === 'UB' && count(array_unique($counts)) > 1)) {
            $errors[] = "$node: $tag, logged once with an unknown outcome, stored [" . implode(',', $counts) . '] times';
        }
        $storedUnknown += array_sum($counts) > 0 ? count($counts) : 0;
    }
    foreach ($byTag as $tag => $ids) {
        $batch = preg_replace('/-\d$/', '', $tag);
        if (!isset($acked[$tag]) && !isset($unknown[$tag]) && !(isset($acked[$batch]) || ($unknown[$batch] ?? '') === 'UB')) {
            $errors[] = "$node: event $tag (ids " . implode(',', $ids) . ') was never logged';
        }
    }
    // Totals, and pages 1..N against the export.
    $total = $log->query(Principal::admin(1), ['perPage' => 1])['total'];
    if ($total !== count($sequence) || $total !== $ackedEvents + $storedUnknown) {
        $errors[] = "$node: page total $total, exported rows " . count($sequence) . ", acked $ackedEvents + $storedUnknown stored with an unknown outcome";
        array_push($errors, ...array_map(static fn (string $e): string => "$node: $e", counter_differences($store)));
    }
    // The service-day counters too: every writer's service, per category (and one per type, with an actor).
    $views = [[], ['category' => 'dj'], ['actor' => 'system'], ['serviceId' => array_key_first($services) ?? 100, 'actor' => 'system']];
    foreach (array_keys($services) as $service) {
        $views[] = ['serviceId' => $service, 'category' => 'dj'];
    }
    array_push($errors, ...array_map(static fn (string $e): string => "$node: $e", rel_totals_errors($log, $views)));
    array_push($errors, ...array_map(static fn (string $e): string => "$node: $e", category_counter_differences($store)));
    $paged = [];
    $page = 1;
    do {
        $r = $log->query(Principal::admin(1), ['perPage' => 100, 'page' => $page]);
        foreach ($r['logs'] as $row) {
            $paged[] = $row['id'];
        }
    } while ($page++ < $r['totalPages']);
    $exported = array_column($sequence, 0);
    if ($paged !== $exported) {
        $missing = array_diff($exported, $paged);
        $repeated = array_diff_assoc($paged, array_unique($paged));
        for ($at = 0; ($paged[$at] ?? null) === ($exported[$at] ?? null); $at++) {
        }
        $errors[] = "$node: pages 1.." . ($page - 1) . ' (' . count($paged) . ' rows) differ from the export (' . count($exported) . '): '
            . count($missing) . ' skipped [' . implode(',', array_slice($missing, 0, 5)) . '], ' . count($repeated) . ' repeated ['
            . implode(',', array_slice($repeated, 0, 5)) . "], first difference at row $at";
    }
    if ($first === null) {
        $first = $sequence;
    } elseif ($sequence !== $first) {
        $errors[] = "$node holds other events than node 1: " . count($sequence) . ' rows, ' . count($first) . ' on node 1, '
            . count(array_diff(array_column($sequence, 0), array_column($first, 0))) . ' ids not on node 1';
    }
    printf("  %s: %d rows exported, page total %d, %d acked + %d stored of %d calls with an unknown outcome; %d pages of 100\n",
        $node, count($sequence), $total, $ackedEvents, $storedUnknown, count($unknown), $page - 1);
}
foreach (array_slice($errors, 0, 30) as $e) {
    fwrite(STDERR, "  LOST/WRONG: $e\n");
}
exit($errors === [] ? 0 : 1);
