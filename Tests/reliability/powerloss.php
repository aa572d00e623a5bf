<?php

declare(strict_types=1);

// Power loss, after the fact: the writers ran with faults.c journaling every
// change to the store's files (FAULTS_UNDO) and were killed with SIGKILL;
// `cut` puts back every change no sync had made durable when they died, as a
// machine that lost power then could have left the files, and `verify` opens
// what is left.
//
// Usage: powerloss.php cut UNDO_DIR all|prefix|torn SEED
//          all: every change after a file's last sync is lost; prefix: each
//          file keeps its changes up to a random point after its last sync
//          (the kernel wrote some of them back), the rest is lost; torn: as
//          prefix, and the first change lost is kept in part, some of its
//          512-byte sectors written and the rest not.
//        powerloss.php verify STORE full|normal ACK_FILE...
//          full (synchronous "full"): every acknowledged event is there;
//          normal: the events there are the ones committed up to some
//          moment (a lost event is newer than every one kept). Both: batches
//          all or nothing, at most one call in flight per writer stored
//          without its ack, exact totals, integrity_check ok, and the store
//          logs and prunes on.

require __DIR__ . '/lib.php';

$cmd = $argv[1] ?? '';
if ($cmd === 'cut') {
    [, , $undoDir, $model, $seed] = $argv;
    mt_srand((int) $seed);
    printf("powerloss: cut (%s): %s\n", $model, cut(readJournal($undoDir), $model));
    exit(0);
}
if ($cmd !== 'verify') {
    fwrite(STDERR, "usage: powerloss.php cut UNDO_DIR all|prefix SEED | verify STORE full|normal ACK_FILE...\n");
    exit(2);
}
[, , $store, $synchronous] = $argv;
exit(verify($store, $synchronous, array_slice($argv, 4)));

/** Every whole record of every process's journal (faults.c), oldest first. */
function readJournal(string $dir): array
{
    $records = [];
    foreach (glob("$dir/undo.*") as $file) {
        $bytes = file_get_contents($file);
        for ($at = 0; $at + 48 <= strlen($bytes);) {
            $h = unpack('a4magic/akind/x3/qns/qoffset/qsizeBefore/qlength/VdataLength/VpathLength', $bytes, $at);
            $end = $at + 48 + $h['pathLength'] + $h['dataLength'];
            if ($h['magic'] !== 'UNDO' || $end > strlen($bytes)) {
                break; // the process was killed while it wrote this record: the change after it never happened
            }
            $records[] = $h + ['path' => substr($bytes, $at + 48, $h['pathLength']),
                'data' => substr($bytes, $at + 48 + $h['pathLength'], $h['dataLength'])];
            $at = $end;
        }
    }
    usort($records, static fn (array $a, array $b) => $a['ns'] <=> $b['ns']);
    return $records;
}

/**
 * Undoes, file by file and newest first, the changes made after the file's
 * last sync (all of them, or those after a random point). Records before an
 * unlink belong to a file that is gone. Says what it undid.
 */
function cut(array $records, string $model): string
{
    $pending = []; // path => changes since its last sync or unlink
    foreach ($records as $r) {
        if ($r['kind'] === 'W') {
            $pending[$r['path']][] = $r;
        } else {
            $pending[$r['path']] = []; // 'S': durable up to here; 'U': that file is gone
        }
    }
    $said = [];
    foreach ($pending as $path => $changes) {
        $keep = $model === 'all' ? 0 : mt_rand(0, count($changes));
        $undo = array_reverse(array_slice($changes, $keep));
        if ($undo === [] || !file_exists($path)) {
            continue;
        }
        // torn: of the oldest change undone, a random number of its first sectors stays written.
        $oldest = array_key_last($undo);
        $torn = $model === 'torn' && $undo[$oldest]['length'] > 512 ? 512 * mt_rand(1, intdiv($undo[$oldest]['length'] - 1, 512)) : 0;
        $f = fopen($path, 'r+b');
        foreach ($undo as $i => $r) {
            $written = $i === $oldest ? $torn : 0;
            if (strlen($r['data']) > $written) {
                fseek($f, $r['offset'] + $written);
                fwrite($f, substr($r['data'], $written));
            }
            ftruncate($f, max($r['sizeBefore'], $written > 0 ? $r['offset'] + $written : 0));
        }
        fclose($f);
        $said[] = sprintf('%s: %d of %d unsynced changes undone%s', basename($path), count($undo), count($changes),
            $torn > 0 ? ", the oldest of them torn after $torn bytes" : '');
    }
    return $said === [] ? 'nothing was unsynced' : implode('; ', $said);
}

function verify(string $store, string $synchronous, array $ackFiles): int
{
    $log = rel_open($store);
    $errors = [];
    $idOf = [];  // tag => [ids]
    $tagOf = []; // id => tag
    rel_export_each($log, static function (array $row) use (&$idOf, &$tagOf): void {
        $tag = $row['details']['tag'];
        $idOf[$tag][] = $row['id'];
        $tagOf[$row['id']] = $tag;
    });
    $newest = $tagOf === [] ? 0 : max(array_keys($tagOf));
    $acked = [];
    $lost = [];  // acked single events not there: id => tag
    $lostBatches = $singles = $batches = 0;
    foreach ($ackFiles as $file) {
        foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
            [$kind, $num, $tag] = explode(' ', $line) + [null, null, null];
            if ($kind === 'S') {
                $singles++;
                $acked[$tag] = true;
                $ids = $idOf[$tag] ?? [];
                if ($ids === [] && !str_starts_with($tag, 'old:')) { // an old event may have been pruned
                    $lost[(int) $num] = $tag;
                } elseif ($ids !== [] && $ids !== [(int) $num]) {
                    $errors[] = "acked $tag (id $num) is stored as [" . implode(',', $ids) . ']';
                }
            } elseif ($kind === 'B') {
                $batches++;
                $there = 0;
                $size = rel_batch_size($tag);
                for ($k = 0; $k < $size; $k++) {
                    $acked["$tag-$k"] = true;
                    $there += count($idOf["$tag-$k"] ?? []);
                }
                if ($there === 0) {
                    $lostBatches++;
                } elseif ($there !== $size) {
                    $errors[] = "acked batch $tag: $there of its $size events stored";
                }
            }
        }
    }
    if ($synchronous === 'full' && ($lost !== [] || $lostBatches > 0)) {
        $errors[] = sprintf('synchronous "full" lost %d acked events (%s) and %d acked batches', count($lost),
            implode(', ', array_slice($lost, 0, 5)), $lostBatches);
    }
    foreach ($lost as $id => $tag) {
        if ($id < $newest) {
            $errors[] = "acked $tag (id $id) is gone while event $newest, committed after it, is there";
            break;
        }
    }
    foreach ($idOf as $tag => $ids) {
        if (count($ids) > 1) {
            $errors[] = "$tag stored " . count($ids) . ' times';
        }
    }
    $unacked = rel_unacked_calls(array_keys($idOf), $acked, $errors);
    if (count($unacked) > count($ackFiles)) {
        $errors[] = count($unacked) . ' calls stored without their ack, but only ' . count($ackFiles) . ' writers were killed';
    }
    $errors = [...$errors, ...rel_totals_errors($log)];
    // The store goes on: more events, a prune, totals still exact.
    for ($i = 0; $i < 100; $i++) {
        $log->log(rel_event(7, "after-$i", $i));
    }
    $log->prune(rel_prune_now());
    $errors = [...$errors, ...rel_totals_errors($log)];
    $log->close();
    $integrity = rel_integrity($store);
    if ($integrity !== 'ok') {
        $errors[] = "integrity_check: $integrity";
    }
    printf("powerloss: %s: %d events there (newest id %d); of %d acked events and %d acked batches, %d and %d lost; %d calls there without their ack; totals %s, integrity %s, logs and prunes on\n",
        $synchronous, count($tagOf), $newest, $singles, $batches, count($lost), $lostBatches, count($unacked),
        array_filter($errors, static fn ($e) => str_starts_with($e, 'total ')) === [] ? 'exact' : 'WRONG', $integrity);
    foreach (array_slice($errors, 0, 20) as $e) {
        fwrite(STDERR, "  LOST/WRONG: $e\n");
    }
    return $errors === [] ? 0 : 1;
}
