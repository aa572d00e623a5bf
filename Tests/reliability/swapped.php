<?php

declare(strict_types=1);

// The store file deleted or replaced under a running worker (issue #15,
// finding 1): the worker's next write is not acknowledged (EL_EIO saying
// so), the call after it works on the file now at the path, and every event
// acknowledged is seen by a reader of the path.
// Usage: swapped.php DIR
require __DIR__ . '/lib.php';

use StreamEvents\Exception\EventLogException;
use StreamEvents\Principal;

$dir = $argv[1];
$path = "$dir/events.sqlite";
$errors = [];
$worker = rel_open($path);
$worker->log(rel_event(7, 'first', 0));

$cases = [
    'rm' => static function () use ($path): void {
        foreach (['', '-wal', '-shm'] as $suffix) {
            @unlink($path . $suffix);
        }
    },
    'mv another store over it' => static function () use ($path, $dir): void {
        $other = rel_open("$dir/other.sqlite");
        $other->log(rel_event(7, 'other', 1));
        $other->close();
        rename("$dir/other.sqlite", $path);
    },
];
foreach ($cases as $case => $swap) {
    $swap();
    try {
        $worker->log(rel_event(7, "after $case", 2));
        $errors[] = "$case: an event was acknowledged into the file no longer at the path";
    } catch (EventLogException $e) {
        if ($e->getCode() !== EventLogException::EL_EIO || !str_contains($e->getMessage(), 'deleted or replaced')) {
            $errors[] = "$case: expected EL_EIO saying the file was replaced, got " . $e->statusName() . ' ' . $e->getMessage();
        }
    }
    $id = $worker->log(rel_event(7, "again $case", 3));
    // A new process reading the path sees what the worker acknowledged.
    $code = 'require ' . var_export(__DIR__ . '/lib.php', true) . '; echo json_encode(array_map(fn ($r) => $r["details"]["tag"],'
        . ' array_values(rel_export_all(rel_open($argv[1])))));';
    $tags = json_decode((string) shell_exec(PHP_BINARY . ' -d ffi.enable=1 -r ' . escapeshellarg($code) . ' ' . escapeshellarg($path)), true) ?? [];
    if (!in_array("again $case", $tags, true)) {
        $errors[] = "$case: event $id acknowledged after reopening is not in the file at the path (" . implode(', ', $tags) . ')';
    }
    echo "swapped ($case): the next write refused, then written to the file at the path\n";
}
foreach ($errors as $e) {
    fwrite(STDERR, "  $e\n");
}
exit($errors === [] ? 0 : 1);
