<?php

declare(strict_types=1);

namespace StreamEvents\Bench;

use StreamEvents\EventLog;
use StreamEvents\Principal;

/** The Stream Events side, written as a panel developer would use the bridge. */
final class ElSide
{
    private function __construct(public readonly EventLog $log)
    {
    }

    /** $path: an SQLite file or a mysql:// URL; $options: el_open's (retentionDays for a new store, ...). */
    public static function open(string $path, array $options = []): self
    {
        return new self(EventLog::open($path, $options, getenv('STREAM_EVENTS_LIB') ?: null));
    }

    public function page(string $role, int $id, array $filter): array
    {
        return $this->log->query(Principal::of($role, $id), $filter);
    }

    /** Every matching row as CSV into $out; returns the row count (lines minus the header). */
    public function exportCsv(string $role, int $id, array $filter, $out, ?\Closure $progress = null): int
    {
        $lines = 0;
        foreach ($this->log->export(Principal::of($role, $id), $filter, 'csv') as $chunk) {
            fwrite($out, $chunk);
            // Generated rows hold no line breaks inside fields: CRLF counts rows.
            $lines += substr_count($chunk, "\r\n");
            if ($progress !== null) {
                $progress($lines - 1);
            }
        }
        return $lines - 1;
    }
}
