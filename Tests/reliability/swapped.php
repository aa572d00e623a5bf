<?php

declare(strict_types=1);

// The store file deleted or replaced under a running worker (issue #15,
// finding 1): from the first write after it the worker acknowledges nothing
// (EL_EIO saying so) and writes nothing into the file now at the path; a
// handle opened again works on that file, and a new process sees every
// event acknowledged. An operator replacing a store removes its -wal and
// -shm with it (SQLite would replay a WAL left at the path onto the new file).
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
        rel_remove_store($path);
    },
    'mv another store over it' => static function () use ($path, $dir): void {
        $other = rel_open("$dir/other.sqlite");
        $other->log(rel_event(7, 'other', 1));
        $other->close();
        rel_remove_store($path);
        rename("$dir/other.sqlite", $path);
    },
    // cp writes into the same inode: the store's tag in the file header tells.
    'cp another store over it in place' => static function () use ($path, $dir): void {
        $other = rel_open("$dir/copied.sqlite");
        $other->log(rel_event(7, 'copied', 1));
        $other->close();
        rel_checkpoint($path);  // the worker's tag is in the file's header
        foreach (['-wal', '-shm'] as $suffix) {
            @unlink($path . $suffix);
        }
        copy("$dir/copied.sqlite", $path);
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
    try {
        $worker->log(rel_event(7, "still $case", 2));
        $errors[] = "$case: the second write after the swap was acknowledged";
    } catch (EventLogException) {
    }
    $worker->close();
    $worker = rel_open($path);
    $id = $worker->log(rel_event(7, "again $case", 3));
    // A new process reading the path sees what the worker acknowledged.
    $code = 'require ' . var_export(__DIR__ . '/lib.php', true) . '; echo json_encode(array_map(fn ($r) => $r["details"]["tag"],'
        . ' array_values(rel_export_all(rel_open($argv[1])))));';
    $tags = json_decode((string) shell_exec(PHP_BINARY . ' -d ffi.enable=1 -r ' . escapeshellarg($code) . ' ' . escapeshellarg($path)), true) ?? [];
    if (!in_array("again $case", $tags, true)) {
        $errors[] = "$case: event $id acknowledged after reopening is not in the file at the path (" . implode(', ', $tags) . ')';
    }
    if (($integrity = rel_integrity($path)) !== 'ok') {
        $errors[] = "$case: integrity_check of the file at the path: $integrity";
    }
    echo "swapped ($case): writes refused until the handle is opened again, then stored in the file at the path\n";
}
foreach ($errors as $e) {
    fwrite(STDERR, "  $e\n");
}
exit($errors === [] ? 0 : 1);
