<?php

declare(strict_types=1);

// Table-driven hostile values through the EventLog wrapper: every string field
// of an event and of the directory, ip addresses, times, ids, filters and page
// numbers. Each value is either refused with a typed exception (InvalidEvent /
// InvalidArgument) or stored and returned exactly (query and jsonl export), and
// the CSV export never starts a cell with a formula character.
// Usage: hostile.php STORE   (prints one line per family; exit 1 on any failure)

require __DIR__ . '/lib.php';

use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Exception\InvalidEvent;
use StreamEvents\Principal;

$log = rel_open($argv[1]);
$admin = Principal::admin(1);
$errors = [];
$tally = ['stored exactly' => 0, 'refused cleanly' => 0];
// The demo principals (admin 1, reseller 2, customer 4 of reseller 2) for hostile_http.py, and Bob's service 11.
$log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Root'], ['id' => 2, 'role' => 'reseller', 'name' => 'Res'],
    ['id' => 4, 'role' => 'customer', 'name' => 'Alice', 'resellerId' => 2], ['id' => 5, 'role' => 'customer', 'name' => 'Bob']],
    [['id' => 10, 'name' => 'Alice FM', 'ownerId' => 4, 'kind' => 'icecast'], ['id' => 11, 'name' => 'Bob FM', 'ownerId' => 5, 'kind' => 'icecast']]);
$log->log(['type' => 'dj.connect', 'serviceId' => 10, 'djName' => '=cmd|"/C calc"!A0 <b>Alice</b> 100%_off', 'sourceIp' => '2001:db8::7']);
$log->log(['type' => 'dj.connect', 'serviceId' => 11, 'djName' => "Bob's <script>alert(1)</script>", 'sourceIp' => '198.51.100.9']);

$strings = [
    'sql quote' => "Robert'); DROP TABLE event;--",
    'sql comment' => "x' OR '1'='1' /*",
    'percent' => '100%',
    'underscore' => 'a_b',
    'like both' => '%_%\\',
    'backslash' => 'C:\\new\\table',
    'double quote' => 'say "hi"',
    'NUL inside' => "a\0b",
    'control chars' => "\x01\x07\x1b[31mred",
    'html' => '<script>alert(document.cookie)</script>',
    'attr break' => '"><img src=x onerror=alert(1)>',
    'formula =' => '=HYPERLINK("http://evil.example","x")',
    'formula +' => '+1+1',
    'formula -' => '-2+3',
    'formula @' => '@SUM(A1:A2)',
    'formula tab' => "\t=1",
    'formula CR' => "\r=1",
    'newline' => "line1\nline2\r\nline3",
    'emoji' => 'DJ 🎧 Ünïcødé ✓',
    'rtl override' => "abc\u{202E}txt.exe",
    'zero width' => "a\u{200B}b\u{FEFF}",
    'max length 4096 bytes' => str_repeat('€', 1365) . 'a', // 4096 bytes, multi-byte
    'one over the limit' => str_repeat('a', 4097),
    '1 MB' => str_repeat('x', 1 << 20),
    'invalid UTF-8' => "\xff\xfe\xc0\xaf",
    'lone surrogate (CESU)' => "\xed\xa0\x80",
    'empty' => '',
];

/** Logs $event; on success reads it back through query and jsonl export and compares $path. */
$roundTrip = static function (string $what, array $event, array $path, mixed $expected) use ($log, $admin, &$errors, &$tally): ?array {
    try {
        $id = $log->log($event);
    } catch (InvalidEvent $e) {
        if ($e->getMessage() === '') {
            $errors[] = "$what: refused without a message";
        }
        $tally['refused cleanly']++;
        return null;
    } catch (EventLogException $e) {
        $errors[] = "$what: refused with " . get_class($e) . ' ' . $e->statusName() . ', not InvalidEvent: ' . $e->getMessage();
        return null;
    }
    $rows = $log->query($admin, ['serviceId' => $event['serviceId'], 'perPage' => 1])['logs'];
    $row = $rows[0] ?? null;
    $jsonl = '';
    foreach ($log->export($admin, ['serviceId' => $event['serviceId']], 'jsonl') as $chunk) {
        $jsonl .= $chunk;
    }
    $exported = json_decode(strtok($jsonl, "\n"), true);
    foreach (['query' => $row, 'export' => $exported] as $how => $r) {
        $got = $r;
        foreach ($path as $key) {
            $got = is_array($got) && array_key_exists($key, $got) ? $got[$key] : '(missing)';
        }
        if (($r['id'] ?? null) !== $id || $got !== $expected) {
            $errors[] = "$what: stored as id $id but $how returned " . json_encode(['id' => $r['id'] ?? null, 'value' => $got], JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR);
        }
    }
    $tally['stored exactly']++;
    return $row;
};

// Every free-text field of an event. A fresh service id per case keeps read-back exact.
$service = 1000;
$fields = [
    'djName' => fn ($v) => [['type' => 'dj.connect', 'djName' => $v], ['djName']],
    'actor.name' => fn ($v) => [['type' => 'service.restart', 'actor' => ['type' => 'user', 'id' => 3, 'name' => $v]], ['actor', 'name']],
    'details.title' => fn ($v) => [['type' => 'service.title_update', 'actor' => ['type' => 'api'], 'details' => ['title' => $v]], ['details', 'title']],
    'details.mount' => fn ($v) => [['type' => 'mount.connect', 'actor' => ['type' => 'system'], 'details' => ['mount' => "/$v"]], ['details', 'mount']],
    'details.server' => fn ($v) => [['type' => 'mount.disconnect', 'actor' => ['type' => 'system'], 'details' => ['mount' => '/m', 'server' => $v]], ['details', 'server']],
    'details.free key' => fn ($v) => [['type' => 'source.start', 'actor' => ['type' => 'user'], 'details' => ['note' => $v]], ['details', 'note']],
    'details key name' => fn ($v) => [['type' => 'source.stop', 'actor' => ['type' => 'user'], 'details' => [$v => 1]], ['details', $v]],
];
foreach ($fields as $field => $make) {
    foreach ($strings as $name => $value) {
        [$event, $path] = $make($value);
        $event['serviceId'] = ++$service;
        $expected = $field === 'details.mount' ? "/$value" : ($field === 'details key name' ? 1 : $value);
        $roundTrip("$field = $name", $event, $path, $expected);
    }
}

// Enumerated fields with hostile values must be refused.
foreach (['type' => ["dj.connect' --", 'DJ.CONNECT', '', "dj.connect\0"], 'reason' => ["disk'; --", '%', '']] as $field => $values) {
    foreach ($values as $v) {
        $e = $field === 'type' ? ['type' => $v, 'serviceId' => 10, 'djName' => 'x']
            : ['type' => 'service.suspend', 'serviceId' => 10, 'actor' => ['type' => 'system'], 'details' => ['reason' => $v]];
        try {
            $log->log($e);
            $errors[] = "$field = " . json_encode($v) . ' was accepted';
        } catch (InvalidEvent) {
            $tally['refused cleanly']++;
        }
    }
}

// Source IPs: valid v4/v6 stored exactly; anything else refused.
$ips = ['203.0.113.7' => true, '::1' => true, '2001:db8::1' => true, '::ffff:192.0.2.1' => true,
    '2001:0db8:0000:0000:0000:ff00:0042:8329' => true, 'fe80::1%eth0' => false, '256.1.1.1' => false, '1.2.3' => false,
    "1.2.3.4' OR 1=1" => false, '1.2.3.4 ' => false, '' => false, str_repeat('1', 100) => false, '::ffff:999.1.1.1' => false,
    '<svg onload=alert(1)>' => false, "1.2.3.4\0" => false];
foreach ($ips as $ip => $valid) {
    $row = $roundTrip('sourceIp = ' . json_encode($ip), ['type' => 'dj.connect', 'serviceId' => ++$service, 'djName' => 'x', 'sourceIp' => (string) $ip], ['sourceIp'], (string) $ip);
    if ($valid && $row === null) {
        $errors[] = "valid IP $ip refused";
    } elseif (!$valid && $row !== null) {
        $errors[] = 'invalid IP ' . json_encode($ip) . ' accepted';
    }
}

// Times far in the past and future: stored exactly (ms) or refused.
$times = [0, -1, -62135596800000, 253402300799999, PHP_INT_MAX, PHP_INT_MIN, '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z',
    '10000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-27T25:00:00Z', 'yesterday', '1e3', 1.5, '2026-11-27T12:00:00+14:00'];
foreach ($times as $t) {
    try {
        $id = $log->log(['type' => 'service.start', 'serviceId' => ++$service, 'actor' => ['type' => 'user'], 'time' => $t]);
        $row = $log->query($admin, ['serviceId' => $service])['logs'][0];
        $want = is_int($t) ? $t : (int) (new DateTimeImmutable((string) $t))->format('Uv');
        if ($row['id'] !== $id || $row['timestamp'] !== $want) {
            $errors[] = 'time ' . json_encode($t) . " stored as {$row['timestamp']}, expected $want";
        }
        // A from/to window around it finds it.
        $found = $log->query($admin, ['serviceId' => $service, 'from' => $want, 'to' => $want + 1])['total'];
        if ($found !== 1) {
            $errors[] = 'time ' . json_encode($t) . " not found by from/to: $found";
        }
        $tally['stored exactly']++;
    } catch (InvalidEvent) {
        $tally['refused cleanly']++;
    } catch (Throwable $e) {
        $errors[] = 'time ' . json_encode($t) . ': ' . get_class($e) . ': ' . $e->getMessage();
    }
}

// Service ids and directory strings (service 77 of customer 77 exists first, so names show).
$log->putDirectory([['id' => 77, 'role' => 'customer', 'name' => 'c']], [['id' => 77, 'name' => 's', 'ownerId' => 77, 'kind' => 'icecast']]);
foreach ([0, -1, PHP_INT_MIN, '10', 1.5, true, null] as $sid) {
    try {
        $log->log(['type' => 'service.start', 'serviceId' => $sid, 'actor' => ['type' => 'user']]);
        $errors[] = 'serviceId ' . json_encode($sid) . ' accepted';
    } catch (InvalidEvent) {
        $tally['refused cleanly']++;
    }
}
foreach ($strings as $name => $value) {
    foreach (['account name' => fn ($v) => [[['id' => 77, 'role' => 'customer', 'name' => $v]], []],
              'service name' => fn ($v) => [[], [['id' => 77, 'name' => $v, 'ownerId' => 77, 'kind' => 'icecast']]],
              'service kind' => fn ($v) => [[], [['id' => 77, 'name' => 'n', 'ownerId' => 77, 'kind' => $v]]]] as $field => $make) {
        [$accounts, $services] = $make($value);
        try {
            $log->putDirectory($accounts, $services);
            $e = $log->log(['type' => 'service.start', 'serviceId' => 77, 'actor' => ['type' => 'user']]);
            $row = $log->query($admin, ['serviceId' => 77, 'perPage' => 1])['logs'][0];
            $check = $field === 'account name' ? $row['ownerName'] : ($field === 'service name' ? $row['serviceName'] : $value);
            if ($row['id'] !== $e || $check !== $value) {
                $errors[] = "$field = $name: read back as " . json_encode($check, JSON_INVALID_UTF8_SUBSTITUTE);
            }
            $tally['stored exactly']++;
        } catch (InvalidArgument $e) {
            $tally['refused cleanly']++;
        } catch (Throwable $e) {
            $errors[] = "$field = $name: " . get_class($e) . ': ' . $e->getMessage();
        }
    }
}

// Search: % and _ are literal; every hit really contains q; every event whose DJ name has q is found.
foreach (['%', '_', '\\', "'", '"', '%_', "' OR 1=1 --", '<script>', "\0"] as $q) {
    try {
        $hits = [];
        $r = $log->query($admin, ['q' => $q, 'perPage' => 500]);
        foreach ($r['logs'] as $row) {
            $hay = ($row['djName'] ?? '') . "\n" . ($row['sourceIp'] ?? '') . "\n" . $row['message'];
            if (stripos($hay, $q) === false) {
                $errors[] = 'q = ' . json_encode($q) . ": event {$row['id']} matched without containing it: " . json_encode($hay);
            }
            $hits[$row['id']] = true;
        }
        $all = rel_export_all($log);
        foreach ($all as $id => $row) {
            if (is_string($row['djName']) && stripos($row['djName'], $q) !== false && !isset($hits[$id]) && $r['total'] <= 500) {
                $errors[] = 'q = ' . json_encode($q) . ": event $id with DJ name " . json_encode($row['djName']) . ' not found';
            }
        }
        $tally['stored exactly']++;
    } catch (InvalidArgument) {
        $tally['refused cleanly']++;
    }
}

// Filters: page numbers, sizes, dates, unknown keys: clean refusal or a sane page.
$filters = [['page' => 0], ['page' => -1], ['page' => PHP_INT_MAX], ['page' => PHP_INT_MAX, 'perPage' => 500], ['page' => 1_000_000_000, 'perPage' => 500],
    ['perPage' => 0], ['perPage' => 501], ['perPage' => PHP_INT_MAX], ['page' => '1'], ['page' => 1.5],
    ['from' => PHP_INT_MIN, 'to' => PHP_INT_MAX], ['from' => '0001-01-01T00:00:00Z'], ['to' => '9999-12-31T23:59:59Z'],
    ['from' => 5, 'to' => 1], ['from' => 'tomorrow'], ['serviceId' => PHP_INT_MAX], ['serviceId' => 0], ['types' => ['dj.connect', "x' OR 1=1"]],
    ['types' => []], ['category' => "service' --"], ['actor' => 'root'], ['q' => str_repeat('q', 1 << 20)], ['q' => "\xff"], ['orderBy' => 'id; DROP TABLE event']];
foreach ($filters as $filter) {
    $what = 'filter ' . json_encode($filter, JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR);
    $what = strlen($what) > 120 ? substr($what, 0, 120) . '…' : $what;
    foreach (['query', 'export'] as $how) {
        try {
            if ($how === 'query') {
                $r = $log->query($admin, $filter);
                if (!is_int($r['total']) || count($r['logs']) > $r['perPage'] || $r['page'] < 1) {
                    $errors[] = "$what: odd page " . json_encode(array_diff_key($r, ['logs' => 1]));
                }
            } else {
                foreach ($log->export($admin, $filter, 'csv') as $chunk) {
                }
            }
            $tally['stored exactly']++;
        } catch (InvalidArgument | \StreamEvents\Exception\NotFound $e) {
            $tally['refused cleanly']++;
        } catch (Throwable $e) {
            $errors[] = "$what ($how): " . get_class($e) . ': ' . $e->getMessage();
        }
    }
}
// (A NUL inside the format is nul_args.php's case.)
foreach (['CSV', 'xlsx', '', 'csv ', '../csv', 'json', 'csv;jsonl'] as $format) {
    try {
        $log->export($admin, [], $format);
        $errors[] = 'export format ' . json_encode($format) . ' accepted';
    } catch (InvalidArgument) {
        $tally['refused cleanly']++;
    }
}

// The CSV export of everything above: RFC 4180 and no cell starts a formula.
$csv = implode('', iterator_to_array($log->export($admin, [], 'csv'), false));
$stream = fopen('php://memory', 'w+b');
fwrite($stream, $csv);
rewind($stream);
$rows = 0;
fgetcsv($stream, null, ',', '"', '');
while (($cells = fgetcsv($stream, null, ',', '"', '')) !== false) {
    $rows++;
    foreach ($cells as $k => $cell) {
        if ($cell !== null && $cell !== '' && strpbrk($cell[0], "=+-@\t\r\n") !== false
            && !preg_match('/^-?\d+(\.\d+)?$/', $cell)) { // a negative number is data, not a formula
            $errors[] = "csv row $rows cell $k starts a formula: " . json_encode(substr($cell, 0, 40));
        }
    }
}
if ($rows !== count(rel_export_all($log))) {
    $errors[] = "csv export has $rows rows, jsonl " . count(rel_export_all($log));
}
// Values too long for any web server's request line (1 MB) reach the controller
// directly, as $_GET would: a 4xx naming the parameter, or a 200 (never 5xx).
$nobody = new class implements \StreamEvents\Http\Authenticator {
    public function authenticate(): ?Principal
    {
        return null;
    }
};
$controller = new \StreamEvents\Http\EventLogController(static fn () => $log, $nobody);
$big = str_repeat('x', 1 << 20);
foreach (['category', 'type', 'service_id', 'actor', 'from', 'to', 'q', 'page', 'per_page', 'format', 'bom'] as $p) {
    foreach ([$big, "$big,dj.connect", str_repeat('9', 1 << 20), str_repeat('€', 1 << 18)] as $v) {
        foreach ([null, 10] as $sid) {
            $status = $controller->respond($admin, $sid, [$p => $v])->status;
            if ($status >= 500 || ($status === 200 && !in_array($p, ['q'], true))) {
                $errors[] = "controller: 1 MB $p gave $status";
            }
            $tally['refused cleanly']++;
        }
    }
}

printf("hostile (wrapper): %d values stored and read back exactly, %d refused with a typed exception, csv of %d rows formula-free\n",
    $tally['stored exactly'], $tally['refused cleanly'], $rows);
foreach (array_slice(array_unique($errors), 0, 40) as $e) {
    fwrite(STDERR, '  ' . mb_strimwidth(str_replace(["\0", "\r", "\n"], ['\0', '\r', '\n'], $e), 0, 300, '…') . "\n");
}
exit($errors === [] ? 0 : 1);
