<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

use StreamEvents\EventLog;

/**
 * Per-service secrets for the stream-server hook URLs.
 *
 * Icecast cannot send headers on its mount hooks, so the secret travels in
 * the URL. It is derived (HMAC-SHA256 of the service id under one panel key)
 * rather than stored: nothing secret ever sits in the event store, and the
 * log API cannot reveal it. Rotating the key rotates every service's secret.
 *
 * The key comes from STREAM_EVENTS_HOOK_KEY (at least 32 characters) or from
 * a key file (32 random bytes, mode 0600), created on first use with the
 * owner and group of its folder: that is the web server's user, who must read
 * it, even when root runs a helper first. The key file is
 * STREAM_EVENTS_HOOK_KEY_FILE if set, else stream-events-hook.key next to an
 * SQLite store or, for a database store (mysql://…), in the hooks' state
 * folder STREAM_EVENTS_HOOK_STATE: like the session files it must be the same
 * for every panel node, and hooks on a database store need that folder anyway.
 */
final class HookSecret
{
    public const KEY_FILE = 'stream-events-hook.key';
    public const KEY_FILE_ENV = 'STREAM_EVENTS_HOOK_KEY_FILE';
    private const CONTEXT = 'stream-events/hook/v1/service/';

    private function __construct(private readonly string $key)
    {
    }

    /** The key from STREAM_EVENTS_HOOK_KEY, else from the key file (keyFile()). */
    public static function forStore(#[\SensitiveParameter] string $storePath): self
    {
        $fromEnv = getenv('STREAM_EVENTS_HOOK_KEY');
        if (is_string($fromEnv) && $fromEnv !== '') {
            return self::fromKey($fromEnv);
        }
        return self::fromKeyFile(self::keyFile($storePath));
    }

    /**
     * Where the key file of the store at $storePath is: STREAM_EVENTS_HOOK_KEY_FILE,
     * else next to an SQLite store, else (a database URI) in STREAM_EVENTS_HOOK_STATE.
     */
    public static function keyFile(#[\SensitiveParameter] string $storePath): string
    {
        $file = getenv(self::KEY_FILE_ENV);
        if (is_string($file) && $file !== '') {
            return $file;
        }
        if (EventLog::isFilePath($storePath)) {
            return dirname($storePath) . '/' . self::KEY_FILE;
        }
        $state = getenv('STREAM_EVENTS_HOOK_STATE');
        if (is_string($state) && $state !== '') {
            return rtrim($state, '/') . '/' . self::KEY_FILE;
        }
        throw new \RuntimeException('Set ' . self::KEY_FILE_ENV . ' (a key file every panel node reads), STREAM_EVENTS_HOOK_STATE'
            . ' (the hooks\' folder, which then holds it) or STREAM_EVENTS_HOOK_KEY: the store is a database, not a file to keep the key next to.');
    }

    public static function fromKey(string $key): self
    {
        if (strlen($key) < 32) {
            throw new \InvalidArgumentException('The hook key must be at least 32 characters long (STREAM_EVENTS_HOOK_KEY).');
        }
        return new self($key);
    }

    /** Reads the key file, creating it (0600, 32 random bytes) when missing. */
    public static function fromKeyFile(string $path): self
    {
        if (!is_file($path)) {
            self::createKeyFile($path);
        }
        clearstatcache(true, $path);
        $mode = @fileperms($path);
        if ($mode === false) {
            throw new \RuntimeException("Cannot stat the hook key file $path.");
        }
        if (($mode & 0o077) !== 0) {
            throw new \RuntimeException(sprintf('The hook key file %s is readable by others (mode %o); chmod 600 it.', $path, $mode & 0o777));
        }
        $key = @file_get_contents($path);
        if ($key === false || strlen($key) < 32) {
            throw new \RuntimeException("Cannot read a key of at least 32 bytes from the hook key file $path (owned by another user?).");
        }
        return new self($key);
    }

    /** The secret of a service's hook URLs (64 hex digits). */
    public function forService(int $serviceId): string
    {
        return hash_hmac('sha256', self::CONTEXT . $serviceId, $this->key);
    }

    /** Constant-time check of a secret taken from a hook URL. */
    public function verify(int $serviceId, string $given): bool
    {
        return hash_equals($this->forService($serviceId), $given);
    }

    /** Writes a new key to a temporary file and links it into place, so two
     *  processes starting at once agree on one key and nobody reads a half-written file.
     *  The file gets the folder's owner and group (possible only as root; otherwise it is ours already). */
    private static function createKeyFile(string $path): void
    {
        $dir = dirname($path);
        if (!is_dir($dir) && !@mkdir($dir, 0o700, true) && !is_dir($dir)) {
            throw new \RuntimeException("Cannot create the folder $dir for the hook key file.");
        }
        $tmp = $path . '.' . bin2hex(random_bytes(6)) . '.tmp';
        $old = umask(0o077);
        try {
            if (@file_put_contents($tmp, random_bytes(32), LOCK_EX) !== 32) {
                throw new \RuntimeException("Cannot write the hook key file $path.");
            }
            @chmod($tmp, 0o600);
            $owner = @fileowner($dir);
            $group = @filegroup($dir);
            if ($owner !== false && $group !== false && $owner !== @fileowner($tmp)) {
                @chown($tmp, $owner);
                @chgrp($tmp, $group);
            }
            if (!@link($tmp, $path) && !is_file($path)) {
                throw new \RuntimeException("Cannot create the hook key file $path.");
            }
        } finally {
            umask($old);
            @unlink($tmp);
        }
    }
}
