<?php

declare(strict_types=1);

// PHP strings may hold NUL bytes; C strings end at the first one. The bridge must
// refuse a NUL in the raw (non-JSON) string arguments - the export format and the
// store path - rather than let the library act on a silently shortened string.
// Finding 2 of RELIABILITY.md: both were accepted until ab1e369.
// Usage: nul_args.php STORE   (a file or a mysql:// URI)

require __DIR__ . '/lib.php';

use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

$store = $argv[1];
$errors = [];
$log = rel_open($store);
foreach (["csv\0", "jsonl\0x", "csv\0../../etc/passwd"] as $format) {
    try {
        $log->export(Principal::admin(1), [], $format);
        $errors[] = 'export format ' . json_encode($format) . ' accepted (the library saw ' . json_encode(strstr($format, "\0", true)) . ')';
    } catch (EventLogException) {
    }
}
try {
    $other = rel_store_named($store, 'other');
    rel_open("$other\0.txt");
    $errors[] = 'store path "' . basename($other) . '\0.txt" accepted' . (is_file($other) ? ': it created ' . basename($other) : '');
} catch (EventLogException) {
}
foreach ($errors as $e) {
    fwrite(STDERR, "  $e\n");
}
exit($errors === [] ? 0 : 1);
