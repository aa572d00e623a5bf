<?php

declare(strict_types=1);

namespace StreamEvents;

use FFI\CData;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Exception\InvalidEvent;
use StreamEvents\Exception\LibraryError;
use StreamEvents\Exception\StorageError;

/**
 * The event store, through libeventlog.so. PHP only marshals: validation,
 * access rules and storage live in the library.
 *
 * open() keeps one native handle per (library, store, options) in a static
 * registry, so every caller in the process shares it. PHP keeps static
 * properties as long as its request: for the whole process under the CLI and
 * worker-mode runtimes (FrankenPHP, RoadRunner, Swoole), for one request under
 * PHP-FPM, CGI and mod_php, where PHP drops the registry when the request ends.
 * The destructor then releases the handle (el_release): the library keeps the
 * store open in the process, so the next request's open() costs microseconds,
 * not a file open and a WAL checkpoint. close() closes it for good.
 *
 * Thread-safe PHP (ZTS): static properties, like every PHP value, belong to
 * one thread there, so each thread has its own FFI objects and its own
 * handles; this class keeps nothing outside PHP's per-thread state (no
 * process environment, no C globals), so no handle is ever used by two threads.
 */
final class EventLog
{
    private const EL_OK = 0;

    /** @var array<string,self> registry key (library, store, options) => open store */
    private static array $open = [];
    /** @var array<string,\FFI> library path => FFI */
    private static array $ffis = [];
    /** @var array<string,array<string,mixed>> library path => decoded el_catalog() */
    private static array $catalogs = [];

    private ?CData $db;
    /** el_log's out-parameter, made once: log() runs on every panel action. */
    private readonly CData $id;
    private readonly CData $idAddress;

    /**
     * @param string $path the store as messages name it: a file's canonical
     *                     path, or a database URI without its password
     */
    private function __construct(
        private readonly \FFI $ffi,
        CData $db,
        public readonly string $path,
        private readonly string $key,
    ) {
        $this->db = $db;
        $this->id = $ffi->new('int64_t');
        $this->idAddress = \FFI::addr($this->id);
    }

    /**
     * The store at $storePath, opened (and created) on first use; the same
     * object while it is open, for the same library, path and options.
     * $storePath is a file (an SQLite store) or a database URI,
     * mysql://user:password@host:port/database (see isUri()).
     * $options (retentionDays for a new store, busyTimeoutMs, synchronous,
     * connectTimeoutMs, readTimeoutMs) are the library's; $libraryPath
     * defaults to LibraryPath::resolve().
     */
    public static function open(#[\SensitiveParameter] string $storePath, array $options = [], ?string $libraryPath = null): self
    {
        self::rejectNul($storePath, 'store path');
        // A mistyped URI with a password is not a file to look for: the library refuses it without echoing it.
        $path = self::isFilePath($storePath) ? self::canonical($storePath) : $storePath;
        $shown = self::shown($path);
        $library = self::library($libraryPath);
        ksort($options);
        $optionsJson = $options === [] ? null : self::encode($options, 'options', false);
        // Hashed: the registry keeps no password (var_dump, a debugger's view of the object).
        $key = hash('sha256', implode("\0", [$library, $path, $optionsJson ?? '']));
        if (isset(self::$open[$key])) {
            return self::$open[$key];
        }
        $ffi = self::ffi($library);
        $out = $ffi->new('el_db*');
        $status = $ffi->el_open(\FFI::addr($out), $path, $optionsJson);
        if ($status !== self::EL_OK) {
            $message = $ffi->el_errmsg($out); // el_errmsg accepts NULL
            $ffi->el_close($out);
            throw EventLogException::fromStatus($status, $message . self::writableHint($status, $path), "el_open(\"$shown\")");
        }
        return self::$open[$key] = new self($ffi, $out, $shown, $key);
    }

    /**
     * Whether $storePath names a database (mysql://…, as the library reads
     * it) rather than a file: then no file rules apply (no realpath, no
     * folder checks) and messages show it without its password.
     */
    public static function isUri(#[\SensitiveParameter] string $storePath): bool
    {
        return preg_match('#^[A-Za-z][A-Za-z0-9+.-]*://#', $storePath) === 1;
    }

    /**
     * Whether $storePath names a file (an SQLite store): neither a database
     * URI nor something that looks like a mistyped one holding a password.
     */
    public static function isFilePath(#[\SensitiveParameter] string $storePath): bool
    {
        return !self::isUri($storePath) && self::redact($storePath) === $storePath;
    }

    /**
     * $storePath as every message names it: a database URI without its
     * password (mysql://user@host:port/database), a file path as it is.
     * Everything up to the last "@" is the user part, so a password with
     * an unencoded "@", "/" or "?" is still left out; so is one in a
     * mistyped URI ("mysql:/user:password@...").
     */
    public static function redact(#[\SensitiveParameter] string $storePath): string
    {
        if (preg_match('#^([A-Za-z][A-Za-z0-9+.-]*:/*)(.*)$#s', $storePath, $m) !== 1 || ($at = strrpos($m[2], '@')) === false) {
            return $storePath;
        }
        $user = substr($m[2], 0, $at);
        $colon = strpos($user, ':');
        return $m[1] . ($colon === false ? $user : substr($user, 0, $colon)) . substr($m[2], $at);
    }

    /**
     * $storePath as messages show it: redact()ed, and when that leaves a ":"
     * before the last "@" of something that is no database URI (a URI typed
     * without its "://" or its scheme: mysql//user:password@host/db,
     * user:password@host/db), only what follows that "@". Such a path may be
     * a file's; its message then names less of it, never a password.
     */
    public static function shown(#[\SensitiveParameter] string $storePath): string
    {
        $at = strrpos($storePath, '@');
        if ($at === false || !str_contains(substr($storePath, 0, $at), ':') || !self::isFilePath($storePath)) {
            return self::redact($storePath);
        }
        return '…' . substr($storePath, $at);
    }

    /**
     * Copies the SQLite store at $sqlitePath into this store, a MariaDB one
     * (el_copy): resumable, never a duplicate. Returns the library's report:
     * ['copied' => N, 'through' => last id, 'verified' => bool,
     *  'days' => [['day' => 'YYYY-MM-DD', 'source' => N, 'target' => N], ...]].
     *
     * @return array{copied: int, through: int, verified: bool, days: list<array{day: string, source: int, target: int}>}
     */
    public function copyFrom(string $sqlitePath): array
    {
        self::rejectNul($sqlitePath, 'SQLite store path');
        $json = $this->ownedString('el_copy', fn (CData $out, CData $len): int => $this->ffi->el_copy($this->db(), $sqlitePath, $out, $len));
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * The event catalog and input limits from the library (el_catalog):
     * categories, types with labels, actorTypes, reasons, autoDJTriggers, limits.
     * A type's requires names the fields it must carry (details.reason only
     * when the system acts); defaultActor is the actor of an event that names
     * none (null: the event must name one). Needs no store.
     *
     * @return array{categories: list<array{id: string, label: string}>,
     *               types: list<array{id: string, label: string, category: string, defaultActor: ?string, requires: list<string>}>,
     *               actorTypes: list<string>, reasons: array<string,list<string>>,
     *               autoDJTriggers: list<string>, limits: array<string,int>}
     */
    public static function catalog(?string $libraryPath = null): array
    {
        $library = self::library($libraryPath);
        if (isset(self::$catalogs[$library])) {
            return self::$catalogs[$library];
        }
        $ffi = self::ffi($library);
        $out = $ffi->new('char*');
        $len = $ffi->new('size_t');
        $status = $ffi->el_catalog(\FFI::addr($out), \FFI::addr($len));
        if ($status !== self::EL_OK) {
            throw EventLogException::fromStatus($status, '', 'el_catalog');
        }
        $json = self::take($ffi, $out, $len->cdata, 'el_catalog');
        return self::$catalogs[$library] = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }

    /** Version string of the loaded library, e.g. "0.1.0". */
    public function libraryVersion(): string
    {
        return $this->ffi->el_version();
    }

    /** Stores one event (committed on return); returns its id. @throws InvalidEvent */
    public function log(array $event): int
    {
        $status = $this->ffi->el_log($this->db(), self::encode(self::eventForJson($event), 'event', true), $this->idAddress);
        if ($status !== self::EL_OK) {
            $this->check($status, 'el_log', true);
        }
        return $this->id->cdata;
    }

    /** Stores a list of events (at most 100000) in one transaction, all or nothing; returns how many. */
    public function logBatch(array $events): int
    {
        $events = array_map(static fn ($e) => is_array($e) ? self::eventForJson($e) : $e, array_values($events));
        $count = $this->ffi->new('int64_t');
        $this->check($this->ffi->el_log_batch($this->db(), self::encode($events, 'events', true), \FFI::addr($count)), 'el_log_batch', true);
        return $count->cdata;
    }

    /** Upserts directory accounts and services (rows not mentioned stay as they are). */
    public function putDirectory(array $accounts, array $services): void
    {
        $json = self::encode(['accounts' => array_values($accounts), 'services' => array_values($services)], 'directory', false);
        $this->check($this->ffi->el_directory_put($this->db(), $json), 'el_directory_put');
    }

    /**
     * One page: ['logs' => [...], 'total', 'page', 'perPage', 'totalPages', 'cursor'].
     * With 'after' => an earlier page's cursor (page 1): only the view's events
     * logged since then, newest first, with the whole view's total and a new cursor.
     */
    public function query(Principal $who, array $filter = []): array
    {
        return json_decode($this->queryJson($who, $filter), true, 512, JSON_THROW_ON_ERROR);
    }

    /** One page as the library's JSON text, unchanged (the HTTP controller sends it as is). */
    public function queryJson(Principal $who, array $filter = []): string
    {
        $principal = $who->toJson();
        $filterJson = self::filterJson($filter);
        return $this->ownedString('el_query', fn (CData $out, CData $len): int
            => $this->ffi->el_query($this->db(), $principal, $filterJson, $out, $len));
    }

    /**
     * The store's cursor now (el_cursor): equal to the "cursor" of a page
     * read earlier exactly when nothing has been logged since, whoever reads.
     * One lookup, no query: a live page's cheap "anything new?".
     */
    public function cursor(): string
    {
        return $this->ownedString('el_cursor', fn (CData $out, CData $len): int => $this->ffi->el_cursor($this->db(), $out, $len));
    }

    /**
     * Everything the filter matches (all pages) as CSV or JSON Lines chunks.
     * The export is opened now, so denial or a bad filter throws here rather
     * than in the middle of a download.
     *
     * @return Export iterable of string chunks; iterate once
     */
    public function export(Principal $who, array $filter, string $format): Export
    {
        self::rejectNul($format, 'export format');
        $out = $this->ffi->new('el_export*');
        $status = $this->ffi->el_export_open($this->db(), $who->toJson(), self::filterJson($filter), $format, \FFI::addr($out));
        $this->check($status, 'el_export_open');
        return new Export($this->ffi, $out, fn (): string => $this->ffi->el_errmsg($this->db));
    }

    /** Deletes events older than the retention window back from $nowMs (0 = now); returns how many. */
    public function prune(int $nowMs = 0): int
    {
        $deleted = $this->ffi->new('int64_t');
        $this->check($this->ffi->el_prune($this->db(), $nowMs, \FFI::addr($deleted)), 'el_prune');
        return $deleted->cdata;
    }

    /**
     * Facts about the open store (el_store_info): engine, schemaVersion,
     * retentionDays, readOnly (false or the reason) and cursor.
     *
     * @return array{engine: string, schemaVersion: int, retentionDays: int, readOnly: false|string, cursor: string}
     */
    public function storeInfo(): array
    {
        $json = $this->ownedString('el_store_info', fn (CData $out, CData $len): int => $this->ffi->el_store_info($this->db(), $out, $len));
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * Changes the store's retention window for every process that uses it
     * (the window is the store's, set when it was created; options given to
     * open() do not change an existing store's).
     */
    public function setRetentionDays(int $days): void
    {
        $this->check($this->ffi->el_set_retention_days($this->db(), $days), 'el_set_retention_days');
    }

    /**
     * Closes the handle now (tests, the maintenance command); the next open()
     * starts a fresh one. Otherwise it closes when PHP drops the registry.
     */
    public function close(): void
    {
        if ($this->db === null) {
            return;
        }
        $this->ffi->el_close($this->db);
        $this->db = null;
        if ((self::$open[$this->key] ?? null) === $this) {
            unset(self::$open[$this->key]);
        }
    }

    /** The end of a request (or of the process): the store stays open in the library for the next open(). */
    public function __destruct()
    {
        if ($this->db !== null) {
            $this->ffi->el_release($this->db);
            $this->db = null;
        }
    }

    private function db(): CData
    {
        return $this->db ?? throw new StorageError("The event store {$this->path} has been closed.", EventLogException::EL_EMISUSE);
    }

    private function check(int $status, string $call, bool $isEventInput = false): void
    {
        if ($status !== self::EL_OK) {
            throw EventLogException::fromStatus($status, $this->ffi->el_errmsg($this->db) . self::writableHint($status, $this->path), $call, $isEventInput);
        }
    }

    /**
     * An I/O failure on a store this process may not write: most often the
     * store was created by another user (root's cron job, a deploy) than the
     * one PHP-FPM runs as. Say which user needs what.
     */
    private static function writableHint(int $status, #[\SensitiveParameter] string $path): string
    {
        $dir = dirname($path);
        if ($status !== EventLogException::EL_EIO || !self::isFilePath($path) || (is_writable($dir) && (!file_exists($path) || is_writable($path)))) {
            return '';
        }
        $user = function_exists('posix_geteuid') ? (posix_getpwuid(posix_geteuid())['name'] ?? 'uid ' . posix_geteuid()) : get_current_user();
        return "; PHP runs as $user, who cannot write " . (is_writable($dir) ? $path : $dir)
            . ": the store and its folder must be writable by the PHP-FPM pool's user";
    }

    /** @param \Closure(CData $out, CData $outLen): int $call a function with a `char **out, size_t *out_len` result */
    private function ownedString(string $name, \Closure $call): string
    {
        $out = $this->ffi->new('char*');
        $len = $this->ffi->new('size_t');
        $this->check($call(\FFI::addr($out), \FFI::addr($len)), $name);
        return self::take($this->ffi, $out, $len->cdata, $name);
    }

    /** Copies an owned out-string into PHP and frees it; never reads a NULL pointer. */
    private static function take(\FFI $ffi, CData $out, int $len, string $call): string
    {
        if (\FFI::isNull($out)) {
            throw new StorageError("$call returned EL_OK but no string.", EventLogException::EL_ERROR);
        }
        try {
            return \FFI::string($out, $len);
        } finally {
            $ffi->el_string_free($out);
        }
    }

    /** C sees a PHP string only up to its first NUL: "csv\0x" would pass as "csv". */
    private static function rejectNul(string $value, string $what): void
    {
        if (str_contains($value, "\0")) {
            throw new InvalidArgument("The $what contains a NUL byte.", EventLogException::EL_EINVAL);
        }
    }

    /**
     * A filter PHP cannot encode names its key first, as the library's own
     * messages do ("q is not valid UTF-8 text."), so callers map both alike.
     */
    private static function filterJson(array $filter): string
    {
        foreach ($filter as $key => $value) {
            foreach ((array) $value as $item) {
                if (is_string($item) && preg_match('//u', $item) !== 1) {
                    throw new InvalidArgument("$key is not valid UTF-8 text.");
                }
            }
        }
        return $filter === [] ? '{}' : self::encode($filter, 'filter', false);
    }

    /** An empty PHP array would encode as [], but details is an object. */
    private static function eventForJson(array $event): array
    {
        if (array_key_exists('details', $event) && $event['details'] === []) {
            $event['details'] = new \stdClass();
        }
        return $event;
    }

    private static function encode(mixed $value, string $what, bool $isEvent): string
    {
        try {
            return json_encode($value, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
        } catch (\JsonException $e) {
            $message = "The $what cannot be encoded as JSON: " . $e->getMessage() . '.';
            throw $isEvent ? new InvalidEvent($message, 0, $e) : new InvalidArgument($message, 0, $e);
        }
    }

    /** realpath() of the directory plus the file name: the file may not exist yet (a mysql:// URL as it is). */
    private static function canonical(string $storePath): string
    {
        $dir = realpath(dirname($storePath));
        if ($dir === false || !is_dir($dir)) {
            throw new StorageError('The directory of the event store ' . self::shown($storePath) . ' does not exist.', EventLogException::EL_EIO);
        }
        return $dir . '/' . basename($storePath);
    }

    /** The library's path, one spelling per file: it keys the FFI objects and the registry. */
    private static function library(?string $libraryPath): string
    {
        $library = LibraryPath::resolve($libraryPath);
        return realpath($library) ?: $library;
    }

    /**
     * What to change when ffi.enable refused: its default, preload, allows FFI
     * in the CLI and in preloaded code only, so php -S, and FPM without the
     * preload of php.ini.example, are refused.
     */
    private static function ffiEnableHint(string $refusal): string
    {
        if (!str_contains($refusal, 'ffi.enable')) {
            return '';
        }
        $setting = (string) ini_get('ffi.enable');
        $now = $setting === 'preload' ? 'ffi.enable=preload here allows FFI only in preloaded code' : "ffi.enable is \"$setting\" here";
        return ". $now: " . match (PHP_SAPI) {
            'cli-server' => 'start php -S with -d ffi.enable=1 (php -d ffi.enable=1 -S 127.0.0.1:8080 ...), or with php.ini.example\'s preload lines (-c).',
            'cli' => 'run php with -d ffi.enable=1.',
            default => "add php.ini.example's lines (opcache.preload of php-bridge/preload.php, ffi.enable=preload) to the php.ini of this "
                . PHP_SAPI . ' SAPI.',
        };
    }

    private static function ffi(string $library): \FFI
    {
        if (isset(self::$ffis[$library])) {
            return self::$ffis[$library];
        }
        $header = dirname(__DIR__) . '/ffi/eventlog.h';
        $cdef = @file_get_contents($header);
        if ($cdef === false) {
            throw new LibraryError("Cannot read the FFI header $header (run `make ffi-header`).");
        }
        if (!is_file($library)) {
            throw new LibraryError("The Stream Events library $library does not exist (run `make build`, or set " . LibraryPath::ENV . ').');
        }
        if (!extension_loaded('ffi')) {
            throw new LibraryError("PHP's FFI extension is not loaded, so the Stream Events library cannot be: enable extension=ffi in php.ini.");
        }
        try {
            $ffi = \FFI::cdef($cdef, $library);
        } catch (\FFI\Exception $e) {
            throw new LibraryError("Cannot load $library through FFI: " . $e->getMessage() . self::ffiEnableHint($e->getMessage()), 0, $e);
        }
        $abi = $ffi->el_abi_version();
        if ($abi !== $ffi->EL_ABI_VERSION) {
            throw new LibraryError("$library implements ABI $abi but the header describes ABI {$ffi->EL_ABI_VERSION}; rebuild both together.");
        }
        return self::$ffis[$library] = $ffi;
    }
}
