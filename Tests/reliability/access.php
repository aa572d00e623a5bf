<?php

declare(strict_types=1);

// Property test of the access rule, through the bridge: random directories
// (admins, resellers, customers; services moved between owners, customers moved
// between resellers, services suspended and removed) and random events; for
// every principal, every query (all pages, several filters) and every export
// (csv, jsonl) returns exactly the events its role allows, computed here from
// the directory independently of the library; a service outside scope is
// denied, an unknown one not found; an account claiming another role is denied.
// Usage: access.php STORE ROUNDS SEED   (each round a new store beside STORE: rel_store_named)

require __DIR__ . '/lib.php';

use StreamEvents\EventLog;
use StreamEvents\Exception\AccessDenied;
use StreamEvents\Exception\NotFound;
use StreamEvents\Principal;

[, $store, $rounds, $seed] = $argv;
mt_srand((int) $seed);
$errors = [];
$stats = ['rounds' => 0, 'events' => 0, 'principals' => 0, 'queries' => 0, 'exports' => 0, 'serviceChecks' => 0, 'denials' => 0];
$pick = static fn (array $a) => $a[mt_rand(0, count($a) - 1)];
$types = ['service.start', 'service.restart', 'source.stop', 'dj.connect', 'dj.kicked', 'mount.disconnect', 'autodj.on_air'];
$categoryOf = static fn (string $t) => explode('.', $t)[0];

function eventOf(string $type, int $service, int $i): array
{
    $e = ['type' => $type, 'serviceId' => $service, 'time' => rel_now_ms() - mt_rand(0, 20 * DAY_MS)];
    return $e + match (explode('.', $type)[0]) {
        'dj' => ['djName' => "dj$i", 'actor' => ['type' => 'dj', 'id' => null, 'name' => "dj$i"]],
        'mount' => ['details' => ['mount' => '/m'], 'actor' => ['type' => 'system', 'id' => null, 'name' => null]],
        'autodj' => ['details' => ['trigger' => 'startup'], 'actor' => ['type' => 'system', 'id' => null, 'name' => null]],
        default => ['actor' => ['type' => $i % 2 ? 'user' : 'api', 'id' => $i % 2 ? 1 : null, 'name' => null]],
    };
}

/** Pages through a query; returns the ids (checking total and no repeats across pages). */
function allPages(EventLog $log, Principal $p, array $filter, array &$errors, string $what): array
{
    $perPage = mt_rand(0, 2) ? mt_rand(1, 60) : 500;
    $ids = [];
    $page = 1;
    do {
        $r = $log->query($p, $filter + ['page' => $page, 'perPage' => $perPage]);
        foreach ($r['logs'] as $row) {
            if (isset($ids[$row['id']])) {
                $errors[] = "$what: id {$row['id']} on two pages";
            }
            $ids[$row['id']] = true;
        }
    } while ($page++ < $r['totalPages']);
    if ($r['total'] !== count($ids)) {
        $errors[] = "$what: total {$r['total']} but " . count($ids) . ' rows over the pages';
    }
    return array_keys($ids);
}

function exported(EventLog $log, Principal $p, array $filter, string $format): array
{
    $text = implode('', iterator_to_array($log->export($p, $filter, $format), false));
    $ids = [];
    $lines = explode($format === 'csv' ? "\r\n" : "\n", rtrim($text, "\r\n"));
    if ($format === 'csv') {
        array_shift($lines);
    }
    foreach ($lines as $line) {
        if ($line !== '') {
            $ids[] = $format === 'csv' ? (int) str_getcsv($line)[0] : json_decode($line, true, 512, JSON_THROW_ON_ERROR)['id'];
        }
    }
    return $ids;
}

function sameSet(array $got, array $want, string $what, array &$errors): void
{
    sort($got);
    sort($want);
    if ($got !== $want) {
        $extra = array_diff($got, $want);
        $missing = array_diff($want, $got);
        $errors[] = "$what: " . count($extra) . ' events too many [' . implode(',', array_slice($extra, 0, 5)) . '], '
            . count($missing) . ' missing [' . implode(',', array_slice($missing, 0, 5)) . ']';
    }
}

for ($round = 1; $round <= (int) $rounds; $round++) {
    $log = rel_open(rel_store_named($store, "access_$round"));
    // Accounts: ids shuffled so roles do not follow id order.
    $ids = range(1, mt_rand(8, 20));
    shuffle($ids);
    $accounts = [];
    foreach ($ids as $k => $id) {
        $accounts[$id] = ['id' => $id, 'role' => $k < 2 ? 'admin' : ($k < 5 ? 'reseller' : 'customer'), 'name' => "acct $id", 'resellerId' => null];
    }
    $resellers = array_keys(array_filter($accounts, fn ($a) => $a['role'] === 'reseller'));
    foreach ($accounts as $id => $a) {
        if ($a['role'] === 'customer' && mt_rand(0, 4)) {
            $accounts[$id]['resellerId'] = $pick($resellers); // some customers belong to no reseller
        }
    }
    $services = [];
    $serviceIds = range(100, 100 + mt_rand(10, 30));
    foreach ($serviceIds as $sid) {
        $services[$sid] = ['id' => $sid, 'name' => "svc $sid", 'ownerId' => $pick($ids), 'kind' => $pick(['icecast', 'shoutcast', 'tv']),
            'status' => 'active', 'removed' => false];
    }
    $log->putDirectory(array_values($accounts), array_values($services));

    // Events, interleaved with directory changes (scope is decided at query time).
    $events = []; // id => [service, category, actorType]
    $unknown = [900 + $round, 901 + $round * 2]; // services the directory never hears of
    for ($batch = 0; $batch < 4; $batch++) {
        for ($i = 0; $i < mt_rand(30, 80); $i++) {
            $sid = mt_rand(0, 9) ? $pick($serviceIds) : $pick($unknown);
            $type = $pick($types);
            $e = eventOf($type, $sid, $i);
            $events[$log->log($e)] = [$sid, $categoryOf($type), $e['actor']['type']];
        }
        $movedS = $movedA = [];
        for ($m = 0; $m < mt_rand(1, 6); $m++) {
            $sid = $pick($serviceIds);
            $services[$sid]['ownerId'] = $pick($ids);
            $services[$sid]['status'] = $pick(['active', 'suspended', 'expired']);
            $services[$sid]['removed'] = mt_rand(0, 3) === 0;
            $movedS[$sid] = $services[$sid];
        }
        foreach (array_keys($accounts) as $aid) {
            if ($accounts[$aid]['role'] === 'customer' && mt_rand(0, 5) === 0) {
                $accounts[$aid]['resellerId'] = mt_rand(0, 3) ? $pick($resellers) : null;
                $movedA[$aid] = $accounts[$aid];
            }
        }
        $log->putDirectory(array_values($movedA), array_values($movedS));
    }
    $stats['events'] += count($events);

    // The rule, restated: the services each account may see.
    $visible = static function (array $a) use ($services, $accounts): array {
        $out = [];
        foreach ($services as $sid => $s) {
            $owner = $accounts[$s['ownerId']];
            if ($a['role'] === 'admin' || $s['ownerId'] === $a['id']
                || ($a['role'] === 'reseller' && $owner['resellerId'] === $a['id'])) {
                $out[$sid] = true;
            }
        }
        return $out;
    };

    foreach ($accounts as $a) {
        $p = Principal::of($a['role'], $a['id']);
        $scope = $visible($a);
        $isAdmin = $a['role'] === 'admin';
        $allowed = array_keys(array_filter($events, fn ($e) => $isAdmin || isset($scope[$e[0]])));
        $what = "round $round {$a['role']} {$a['id']}";
        $stats['principals']++;

        sameSet(allPages($log, $p, [], $errors, $what), $allowed, "$what query", $errors);
        $category = $pick(['service', 'dj', 'mount', 'source', 'autodj']);
        $actor = $pick(['user', 'dj', 'api', 'system']);
        $filtered = array_keys(array_filter($events, fn ($e) => ($isAdmin || isset($scope[$e[0]])) && $e[1] === $category && $e[2] === $actor));
        sameSet(allPages($log, $p, ['category' => $category, 'actor' => $actor], $errors, $what), $filtered, "$what query $category/$actor", $errors);
        $stats['queries'] += 2;
        foreach (['csv', 'jsonl'] as $format) {
            sameSet(exported($log, $p, [], $format), $allowed, "$what export $format", $errors);
            $stats['exports']++;
        }

        // Every service by id: its events when in scope, denied outside, not found when unknown.
        foreach (array_merge($serviceIds, $unknown, [5000]) as $sid) {
            $stats['serviceChecks']++;
            $own = array_keys(array_filter($events, fn ($e) => $e[0] === $sid));
            $known = isset($services[$sid]);
            $expect = $known ? (isset($scope[$sid]) ? 'ok' : 'denied') : ($isAdmin && $own !== [] ? 'ok' : 'notfound');
            foreach (['query', 'export'] as $how) {
                try {
                    $got = $how === 'query' ? allPages($log, $p, ['serviceId' => $sid], $errors, "$what service $sid")
                        : exported($log, $p, ['serviceId' => $sid], mt_rand(0, 1) ? 'csv' : 'jsonl');
                    if ($expect !== 'ok') {
                        $errors[] = "$what: $how of service $sid returned " . count($got) . " events, expected $expect";
                    } else {
                        sameSet($got, $own, "$what $how service $sid", $errors);
                    }
                } catch (AccessDenied) {
                    $stats['denials']++;
                    if ($expect !== 'denied') {
                        $errors[] = "$what: $how of service $sid denied, expected $expect";
                    }
                } catch (NotFound) {
                    if ($expect !== 'notfound') {
                        $errors[] = "$what: $how of service $sid not found, expected $expect";
                    }
                }
            }
        }

        // The same id claiming another role, and ids the directory does not know, are denied.
        $claims = [];
        foreach (['reseller', 'customer'] as $role) {
            if ($role !== $a['role']) {
                $claims[] = Principal::of($role, $a['id']);
            }
        }
        $claims[] = Principal::of($pick(['reseller', 'customer']), 10_000 + $a['id']);
        foreach ($claims as $claim) {
            foreach (['query', 'export'] as $how) {
                try {
                    $how === 'query' ? $log->query($claim, []) : exported($log, $claim, [], 'csv');
                    $errors[] = "$what: $how as {$claim->role} {$claim->id} was not denied";
                } catch (AccessDenied) {
                    $stats['denials']++;
                }
            }
        }
    }
    $log->close();
    $stats['rounds']++;
}
echo 'access: ' . json_encode($stats) . "\n";
foreach (array_slice($errors, 0, 30) as $e) {
    fwrite(STDERR, "  $e\n");
}
exit($errors === [] ? 0 : 1);
