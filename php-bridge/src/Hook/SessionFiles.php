<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\EventLog;

/**
 * Where the hooks keep, between calls, the sessions each service has open in
 * the log (live presenters, DJs, mounts): a JSON file per server and service
 * (mode 0600) in a folder of its own, changed under an exclusive lock so that
 * concurrent calls of one service apply, and log, one after the other. That
 * is what lets a restart close exactly the sessions still open, once.
 */
final class SessionFiles
{
    public const DIR = 'stream-events-hooks';

    public function __construct(private readonly string $dir)
    {
    }

    /** STREAM_EVENTS_HOOK_STATE, else a folder next to a SQLite store. */
    public static function forStore(#[\SensitiveParameter] string $storePath): self
    {
        $dir = getenv('STREAM_EVENTS_HOOK_STATE');
        if (is_string($dir) && $dir !== '') {
            return new self($dir);
        }
        if (!EventLog::isFilePath($storePath)) {
            throw new \RuntimeException('Set STREAM_EVENTS_HOOK_STATE to a folder for the hooks\' sessions: the store is not a file to keep them next to.');
        }
        return new self(dirname($storePath) . '/' . self::DIR);
    }

    /**
     * Runs $change on the data of file $name under its lock and keeps the
     * data as $change left it; returns what $change returns. When $change
     * throws, the file stays as it was.
     *
     * @template T
     * @param \Closure(array &$data): T $change
     * @return T
     */
    public function update(string $name, \Closure $change): mixed
    {
        if (!preg_match('/^[a-z]+-[0-9]{1,18}$/', $name)) {
            throw new \InvalidArgumentException("A session file is named server-serviceId, got '$name'.");
        }
        if (!is_dir($this->dir) && !@mkdir($this->dir, 0o700, true) && !is_dir($this->dir)) {
            throw new \RuntimeException("Cannot create the hooks' session folder {$this->dir}.");
        }
        $path = "{$this->dir}/$name";
        $old = umask(0o077);
        try {
            $lock = @fopen("$path.lock", 'c');
            if ($lock === false) {
                throw new \RuntimeException("Cannot open the session lock $path.lock.");
            }
            try {
                if (!flock($lock, LOCK_EX)) {
                    throw new \RuntimeException("Cannot lock the session file $path.lock.");
                }
                $json = is_file("$path.json") ? @file_get_contents("$path.json") : '';
                $data = is_string($json) && $json !== '' ? json_decode($json, true) : [];
                if (!is_array($data)) {
                    error_log("stream-events hooks: $path.json was unreadable; starting from no open sessions");
                    $data = [];
                }
                $result = $change($data);
                // Written aside and renamed: a crash never leaves half a file.
                $out = json_encode($data, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
                if (@file_put_contents("$path.json.tmp", $out) !== strlen($out) || !@rename("$path.json.tmp", "$path.json")) {
                    throw new \RuntimeException("Cannot write the session file $path.json.");
                }
                return $result;
            } finally {
                fclose($lock); // releases the lock
            }
        } finally {
            umask($old);
        }
    }
}
