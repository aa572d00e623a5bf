<?php

declare(strict_types=1);

/*
 * Several runs of the MariaDB bench side by side, as BENCHMARKS.md shows
 * them: a column per run (in the order given), the target, and whether it
 * held in every run. Each run of bench/maria.php keeps its numbers in
 * WORKDIR/results-mariadb-MODE-<time>.json.
 *
 *   php bench/maria-summary.php var/bench/results-mariadb-quick-2026*.json
 */

require __DIR__ . '/functions.php'; // fmt, ratio, markdownTable

$files = array_slice($argv, 1);
$files !== [] || exit("usage: maria-summary.php RESULTS.json...\n");
$runs = array_map(static fn (string $f): array => json_decode(file_get_contents($f), true, 512, JSON_THROW_ON_ERROR), $files);

// [what, the figure of one run, target, the keys of results' "met" that decide it]
$rows = [
    ['el_log, 1 process: events/s (× PDO)', static fn ($r) => fmt($r['log1']['events_per_s']['el'])
        . ' (' . ratio($r['log1']['events_per_s']['el'], $r['log1']['events_per_s']['pdo']) . ')', '≥ 1.0× PDO', ['log1']],
    ['… CPU per event: PHP / mariadbd (µs; PDO\'s)', static fn ($r) => isset($r['log1']['cpu_us_per_event'])
        ? sprintf('%.0f / %.0f (%.0f / %.0f)', $r['log1']['cpu_us_per_event']['el']['php'], $r['log1']['cpu_us_per_event']['el']['db'],
            $r['log1']['cpu_us_per_event']['pdo']['php'], $r['log1']['cpu_us_per_event']['pdo']['db']) : '—', '—', []],
    ['8 processes: events/s (× 1 process)', static fn ($r) => fmt($r['log8']['el']['events_per_s'])
        . ' (' . ratio($r['log8']['el']['events_per_s'], $r['log1']['events_per_s']['el']) . ')', '≥ 3×', ['log8']],
    ['8 processes: errors / p99 / max (ms)', static fn ($r) => sprintf('%d / %.1f / %.0f', $r['log8']['el']['errors'],
        $r['log8']['el']['p99_ms'], $r['log8']['el']['max_ms']), '0; p99 ≤ 10', ['log8_latency']],
    ['el_copy of the SQLite store: events/s', static fn ($r) => fmt($r['copy']['events_per_s']) . ($r['copy']['verified'] ? '' : ' (NOT VERIFIED)'),
        '≥ 50,000', ['copy']],
    ['… CPU per event: copying process / mariadbd (µs)', static fn ($r) => isset($r['copy']['cpu_us_per_event'])
        ? sprintf('%.1f / %.1f', $r['copy']['cpu_us_per_event']['php'], $r['copy']['cpu_us_per_event']['db']) : '—', '—', []],
];
foreach (array_keys($runs[0]['pages']) as $cell) {
    $rows[] = ["page + total p95 (ms; PDO's): $cell", static fn ($r) => sprintf('%.1f (%s)', $r['pages'][$cell]['p95_ms']['el'],
        fmt($r['pages'][$cell]['p95_ms']['pdo'], 1)), '≤ 15; ≥ 10× PDO where PDO > 50', ["page: $cell"]];
    $rows[] = ["… pages read from disk in its timed runs (PDO's): $cell", static fn ($r) => isset($r['pages'][$cell]['disk_reads'])
        ? fmt($r['pages'][$cell]['disk_reads']['el']) . ' (' . fmt($r['pages'][$cell]['disk_reads']['pdo']) . ')' : '—', '—', []];
    $rows[] = ["… undo logs to purge before it / at most during it: $cell", static fn ($r) => isset($r['pages'][$cell]['history'])
        ? fmt($r['pages'][$cell]['history']['before']) . ' / ' . fmt($r['pages'][$cell]['history']['max']) : '—', '—', []];
}
$rows[] = ['CSV export: rows/s (× PDO)', static fn ($r) => fmt($r['export']['el']['rows_per_s'])
    . ' (' . ratio($r['export']['el']['rows_per_s'], $r['export']['pdo']['rows_per_s']) . ')', '≥ 300,000', ['export']];
$rows[] = ['export peak RSS, 10% → all (MiB)', static fn ($r) => sprintf('%.1f → %.1f', $r['export']['el']['peak_at_10pct_kib'] / 1024,
    $r['export']['el']['peak_kib'] / 1024) . (isset($r['exportAll']) ? sprintf('; all rows %.1f → %.1f', $r['exportAll']['peak_at_10pct_kib'] / 1024,
    $r['exportAll']['peak_kib'] / 1024) : ''), 'flat', ['export_memory', 'export_all_memory']];
$rows[] = ["drop a day while 4 log: max el_log (ms; PDO's DELETE)", static fn ($r) => sprintf('%.1f (%.1f)', $r['prune']['el']['max_ms'],
    $r['prune']['pdo']['max_ms']), '≤ 100, 0 errors', ['drop']];
$rows[] = ['on disk per event (bytes; PDO peer without counters)', static fn ($r) => sprintf('%s (%s)', fmt($r['bigStore']['bytesPerEvent']['el']),
    fmt($r['bigStore']['bytesPerEvent']['pdo'])), '—', []];

$table = [];
foreach ($rows as [$what, $figure, $target, $keys]) {
    $held = 0;
    foreach ($runs as $r) {
        $held += array_product(array_map(static fn ($k) => (int) ($r['met'][$k] ?? true), $keys));
    }
    $table[] = [$what, ...array_map($figure, $runs), $target,
        $keys === [] ? '—' : ($held === count($runs) ? 'met' : "not met ($held of " . count($runs) . ')')];
}
$first = $runs[0];
$head = [sprintf('what (%s, %s events)', $first['mode'], fmt($first['bigStore']['count'])),
    ...array_map(static fn ($i) => 'run ' . ($i + 1), array_keys($runs)), 'target', 'met in all ' . count($runs)];
echo markdownTable($head, $table), "\n";
foreach ($runs as $i => $r) {
    $m = strtok($r['machine'], "\n");
    echo 'Run ', $i + 1, ' (', $r['at'] ?? '?', ' UTC): ', substr($m, (int) strpos($m, 'library ')), "\n";
}
