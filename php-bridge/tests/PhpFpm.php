<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/**
 * php-fpm on 127.0.0.1 (a free port) or on a unix socket, configured with
 * php.ini.example's lines, and a client that talks to it the way nginx
 * would (FastCgi: one request per connection).
 */
final class PhpFpm
{
    use ChildProcess;

    /** Where it listens: tcp://127.0.0.1:PORT or unix:///…/fpm.sock. */
    public readonly string $address;
    public readonly int $masterPid;

    /**
     * @param array<string,string> $env added to this process's environment
     * @param int $workers static workers (pm = static)
     * @param array<string,string> $pool more pool directives (e.g. access.log)
     * @param bool $unixSocket listen on a socket file (no TCP ports in TIME_WAIT under load)
     */
    public function __construct(array $env, int $workers = 1, array $pool = [], bool $unixSocket = false)
    {
        $dir = Fixture::tempDir();
        $this->logFile = "$dir/fpm.log";
        $listen = $unixSocket ? "$dir/fpm.sock" : '127.0.0.1:' . self::freePort();
        $this->address = $unixSocket ? "unix://$listen" : "tcp://$listen";
        $user = posix_getpwuid(posix_geteuid())['name'];
        $more = implode("\n", array_map(static fn ($k, $v) => "$k = $v", array_keys($pool), $pool));
        file_put_contents("$dir/fpm.conf", <<<CONF
            [global]
            error_log = {$this->logFile}
            daemonize = no
            [bridge]
            user = $user
            listen = $listen
            pm = static
            pm.max_children = $workers
            clear_env = no
            catch_workers_output = yes
            $more
            CONF);
        $binary = trim((string) shell_exec('command -v php-fpm8.2 || command -v php-fpm'));
        if ($binary === '') {
            throw new \RuntimeException('php-fpm is not installed (Debian package php8.2-fpm)');
        }
        $cmd = [$binary, '--nodaemonize', '--allow-to-run-as-root', '-c', PreloadIni::write(), '-y', "$dir/fpm.conf"];
        $this->process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->logFile, 'a'], 2 => ['file', $this->logFile, 'a']],
            $pipes, $dir, $env + getenv());
        $this->masterPid = proc_get_status($this->process)['pid'];
        $this->awaitAddress($this->address, 'php-fpm');
    }

    /** Pids of the worker processes. @return list<int> */
    public function workers(): array
    {
        $children = trim((string) @file_get_contents("/proc/{$this->masterPid}/task/{$this->masterPid}/children"));
        return $children === '' ? [] : array_map('intval', explode(' ', $children));
    }

    /**
     * Runs $script as a GET request. @return array{status: int, headers: array<string,string>, body: string}
     */
    public function get(string $script, string $uri, array $headers = []): array
    {
        $socket = stream_socket_client($this->address, $errno, $errstr, 5);
        if ($socket === false) {
            throw new \RuntimeException("cannot connect to php-fpm: $errstr");
        }
        stream_set_timeout($socket, 30);
        fwrite($socket, FastCgi::get($script, $uri, $headers));
        $received = '';
        while (($stdout = FastCgi::stdout($received)) === null) {
            $chunk = fread($socket, 65536);
            if ($chunk === false || $chunk === '') {
                throw new \RuntimeException('php-fpm closed the connection mid-record');
            }
            $received .= $chunk;
        }
        fclose($socket);
        return FastCgi::response($stdout);
    }
}
