<?php

declare(strict_types=1);

/*
 * Shared plumbing of the stream-server hook tests: a temp dir, child
 * processes (stopped on exit, also on SIGTERM/SIGINT), readiness polling,
 * the bridge under `php -S` with the preload (as under FPM), the store read
 * back as admin, and pass/fail bookkeeping.
 */

namespace StreamEvents\Tests\Hooks;

use StreamEvents\EventLog;
use StreamEvents\LibraryPath;
use StreamEvents\Principal;
use StreamEvents\Tests\PhpServer;

require_once __DIR__ . '/../../autoload.php';
foreach (['Fixture', 'ChildProcess', 'PreloadIni', 'PhpServer'] as $support) {
    require_once __DIR__ . "/../$support.php";
}

final class Harness
{
    public readonly string $dir;
    public readonly string $bridgeDir;
    public readonly string $repo;
    public readonly string $library;
    /** @var array<string, array{proc: resource, log: string}> */
    private array $procs = [];
    /** @var array<string, PhpServer> */
    private array $bridges = [];
    private int $passed = 0;
    /** @var list<string> */
    private array $failures = [];

    public function __construct(public readonly string $name)
    {
        $this->bridgeDir = dirname(__DIR__, 2);
        $this->repo = dirname($this->bridgeDir);
        $this->library = LibraryPath::resolve();
        $base = rtrim(getenv('TMPDIR') ?: '/tmp', '/');
        $this->dir = $base . '/stream-events-hooks-' . $name . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir, 0o700);
        // icecast2 and liquidsoap may run as another user (nobody): let them
        // traverse into their own sub-folders, not list or read the rest.
        chmod($this->dir, 0o711);
        pcntl_async_signals(true);
        foreach ([SIGTERM, SIGINT] as $signal) {
            pcntl_signal($signal, function () {
                $this->cleanup();
                exit(130);
            });
        }
        register_shutdown_function([$this, 'cleanup']);
    }

    /** A new store's path, in a folder of its own (where the key file and session files go too). */
    public function newStore(): string
    {
        mkdir("{$this->dir}/store", 0o700);
        return "{$this->dir}/store/events.sqlite";
    }

    /** A random STREAM_EVENTS_HOOK_KEY, set for this process (pass it on to the bridge); the key. */
    public static function randomHookKey(): string
    {
        $key = bin2hex(random_bytes(32));
        putenv("STREAM_EVENTS_HOOK_KEY=$key");
        return $key;
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    public static function freePort(): int
    {
        return PhpServer::freePort();
    }

    /** Starts a child process, output to <dir>/<name>.log. */
    public function start(string $name, array $cmd, array $env = [], bool $stdinPipe = false): void
    {
        $log = "{$this->dir}/$name.log";
        $spec = [0 => $stdinPipe ? ['pipe', 'r'] : ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']];
        $proc = proc_open($cmd, $spec, $pipes, $this->dir, $env + getenv());
        if (!is_resource($proc)) {
            throw new \RuntimeException("Cannot start $name: " . implode(' ', $cmd));
        }
        $this->procs[$name] = ['proc' => $proc, 'log' => $log];
    }

    public function running(string $name): bool
    {
        return isset($this->procs[$name]) && proc_get_status($this->procs[$name]['proc'])['running'];
    }

    /** Waits for a child to exit; its exit code, or null on timeout. */
    public function waitExit(string $name, float $timeout): ?int
    {
        $deadline = microtime(true) + $timeout;
        while (microtime(true) < $deadline) {
            $status = proc_get_status($this->procs[$name]['proc']);
            if (!$status['running']) {
                return $status['signaled'] ? 128 + $status['termsig'] : $status['exitcode'];
            }
            usleep(20_000);
        }
        return null;
    }

    public function signal(string $name, int $signal): void
    {
        if ($this->running($name)) {
            proc_terminate($this->procs[$name]['proc'], $signal);
        }
    }

    public function stop(string $name): void
    {
        if (!isset($this->procs[$name])) {
            return;
        }
        $this->signal($name, SIGTERM);
        if ($this->waitExit($name, 5) === null) {
            $this->signal($name, SIGKILL);
            $this->waitExit($name, 2);
        }
        proc_close($this->procs[$name]['proc']);
        unset($this->procs[$name]);
    }

    public function log(string $name): string
    {
        return (string) @file_get_contents("{$this->dir}/$name.log");
    }

    /** Polls $condition (every 50 ms) until it returns a truthy value; that value, or null on timeout. */
    public function waitFor(callable $condition, float $timeout): mixed
    {
        $deadline = microtime(true) + $timeout;
        do {
            $value = $condition();
            if ($value) {
                return $value;
            }
            usleep(50_000);
        } while (microtime(true) < $deadline);
        return null;
    }

    public function waitPort(int $port, float $timeout): bool
    {
        return (bool) $this->waitFor(static function () use ($port): bool {
            $socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 0.2);
            if ($socket === false) {
                return false;
            }
            fclose($socket);
            return true;
        }, $timeout);
    }

    /**
     * The bridge (php-bridge/public/index.php) under `php -S`, with the
     * preload and FFI limited to preloaded code as under PHP-FPM; its output
     * is log($name). Returns its base URL.
     */
    public function startBridge(string $store, array $env = [], string $name = 'bridge'): string
    {
        $this->bridges[$name] = new PhpServer($this->bridgeDir . '/public/index.php', ['STREAM_EVENTS_DB' => $store] + $env,
            logFile: "{$this->dir}/$name.log");
        return $this->bridges[$name]->url;
    }

    /** Stops a bridge startBridge() started (its log stays). */
    public function stopBridge(string $name = 'bridge'): void
    {
        ($this->bridges[$name] ?? null)?->stop();
        unset($this->bridges[$name]);
    }

    /** @return array{0: int, 1: string} status and body of a form POST */
    public static function post(string $url, array $fields): array
    {
        $context = stream_context_create(['http' => ['method' => 'POST', 'ignore_errors' => true, 'timeout' => 10,
            'header' => 'Content-Type: application/x-www-form-urlencoded', 'content' => http_build_query($fields)]]);
        $body = @file_get_contents($url, false, $context);
        $status = isset($http_response_header[0]) && preg_match('#^HTTP/\S+ (\d{3})#', $http_response_header[0], $m) ? (int) $m[1] : 0;
        return [$status, (string) $body];
    }

    /** All events in the store as the admin sees them, oldest first (by event time, then id). */
    public function events(string $store, array $filter = []): array
    {
        $log = EventLog::open($store, [], $this->library);
        // Every principal must be an account of its role in the directory, the admin too.
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Hook Test Admin', 'resellerId' => null]], []);
        $logs = [];
        for ($page = 1; ; $page++) {
            $result = $log->query(Principal::admin(1), $filter + ['perPage' => 500, 'page' => $page]);
            $logs = array_merge($logs, $result['logs']);
            if ($page >= $result['totalPages']) {
                break;
            }
        }
        usort($logs, static fn (array $a, array $b): int => [$a['timestamp'], $a['id']] <=> [$b['timestamp'], $b['id']]);
        return $logs;
    }

    public function check(bool $ok, string $what, string $detail = ''): bool
    {
        if ($ok) {
            $this->passed++;
            echo "  ok   $what\n";
        } else {
            $this->failures[] = $what;
            echo "  FAIL $what" . ($detail !== '' ? "\n       " . str_replace("\n", "\n       ", rtrim($detail)) : '') . "\n";
        }
        return $ok;
    }

    /** Prints the summary; the exit code (0 = all passed). */
    public function summary(): int
    {
        $failed = count($this->failures);
        echo sprintf("%s: %d passed, %d failed%s\n", $this->name, $this->passed, $failed,
            $failed ? ' (' . implode('; ', $this->failures) . ')' : '');
        if ($failed && getenv('KEEP_TMP')) {
            echo "  logs kept in {$this->dir}\n";
        }
        return $failed === 0 && $this->passed > 0 ? 0 : 1;
    }

    public function cleanup(): void
    {
        foreach (array_keys($this->procs) as $name) {
            $this->stop($name);
        }
        foreach ($this->bridges as $bridge) {
            $bridge->stop();
        }
        if (is_dir($this->dir) && !(getenv('KEEP_TMP') && $this->failures !== [])) {
            exec('rm -rf ' . escapeshellarg($this->dir));
        }
    }

    /** The user a server drops to when we are root (icecast2 refuses to run as root). */
    public static function unprivilegedUser(): ?array
    {
        if (posix_geteuid() !== 0) {
            return null;
        }
        $user = posix_getpwnam('nobody') ?: throw new \RuntimeException('Running as root but there is no user nobody to run the servers as.');
        $group = posix_getgrgid($user['gid']);
        return ['user' => 'nobody', 'group' => $group['name'] ?? 'nogroup', 'uid' => $user['uid'], 'gid' => $user['gid']];
    }
}
