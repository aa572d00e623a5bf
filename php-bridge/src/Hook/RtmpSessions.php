<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * Where the RTMP hook keeps each TV station's live publishers between
 * callbacks: a JSON file per service (mode 0600) in a folder of its own,
 * changed under an exclusive lock so that concurrent callbacks of one
 * service apply, and log, one after the other. It holds client ids, DJ
 * names, addresses and keyed fingerprints of streams; never a stream key.
 */
final class RtmpSessions
{
    public const DIR = 'stream-events-rtmp';

    public function __construct(private readonly string $dir)
    {
    }

    /** STREAM_EVENTS_RTMP_STATE, else a folder next to a SQLite store. */
    public static function forStore(string $storePath): self
    {
        $dir = getenv('STREAM_EVENTS_RTMP_STATE');
        if (is_string($dir) && $dir !== '') {
            return new self($dir);
        }
        if (str_contains($storePath, '://')) {
            throw new \RuntimeException('Set STREAM_EVENTS_RTMP_STATE to a folder for the RTMP hook: the store is not a file to keep it next to.');
        }
        return new self(dirname($storePath) . '/' . self::DIR);
    }

    /**
     * Runs $change on the service's station under its lock, then keeps the
     * station as $change left it; returns what $change returns.
     *
     * @template T
     * @param \Closure(RtmpStation): T $change
     * @return T
     */
    public function update(int $serviceId, \Closure $change): mixed
    {
        if (!is_dir($this->dir) && !@mkdir($this->dir, 0o700, true) && !is_dir($this->dir)) {
            throw new \RuntimeException("Cannot create the RTMP state folder {$this->dir}.");
        }
        $path = "{$this->dir}/service-$serviceId";
        $old = umask(0o077);
        try {
            $lock = @fopen("$path.lock", 'c');
            if ($lock === false) {
                throw new \RuntimeException("Cannot open the RTMP state lock $path.lock.");
            }
            try {
                if (!flock($lock, LOCK_EX)) {
                    throw new \RuntimeException("Cannot lock the RTMP state file $path.lock.");
                }
                $json = is_file("$path.json") ? @file_get_contents("$path.json") : '';
                $data = is_string($json) && $json !== '' ? json_decode($json, true) : [];
                if (!is_array($data)) {
                    error_log("stream-events hooks: rtmp: $path.json was unreadable; starting from no live publishers");
                    $data = [];
                }
                $station = RtmpStation::fromArray($data);
                $result = $change($station);
                // Written aside and renamed: a crash never leaves half a file.
                $out = json_encode($station->toArray(), JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
                if (@file_put_contents("$path.json.tmp", $out) !== strlen($out) || !@rename("$path.json.tmp", "$path.json")) {
                    throw new \RuntimeException("Cannot write the RTMP state file $path.json.");
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
