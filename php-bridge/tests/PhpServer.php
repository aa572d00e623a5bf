<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/**
 * The bridge under `php -S` on 127.0.0.1: the one way every suite (and the
 * demo, through serve.php) starts a PHP server.
 *
 * $preload: php.ini.example's lines (opcache preload, FFI only for preloaded
 * code, expose_php=Off), as under FPM; otherwise FFI is enabled for all code,
 * as for the CLI; $bare: neither, PHP's own defaults, as a developer's plain
 * `php -S` (FFI refused). Stopped by stop(), or when the object goes away.
 */
final class PhpServer
{
    use ChildProcess;

    public readonly int $port;
    public readonly int $pid;
    public readonly string $url;

    /**
     * @param array<string,string> $env added to this process's environment
     * @param string|null $docroot files php -S serves itself (-t)
     * @param int|null $port null: a free one
     * @param string|null $logFile where the server's output goes (default: a temp file; '-': this process's stdout and stderr)
     */
    public function __construct(string $router, array $env = [], bool $preload = true, ?string $docroot = null,
        ?int $port = null, ?string $logFile = null, bool $bare = false)
    {
        $this->logFile = $logFile ?? Fixture::tempDir() . '/server.log';
        $this->port = $port ?? self::freePort();
        $this->url = "http://127.0.0.1:{$this->port}";
        $cmd = array_merge([PHP_BINARY],
            match (true) {
                $bare => [],
                $preload => ['-c', PreloadIni::write(), '-d', 'opcache.enable_cli=1'],
                default => ['-d', 'ffi.enable=1'],
            },
            ['-S', "127.0.0.1:{$this->port}"],
            $docroot !== null ? ['-t', $docroot] : [],
            [$router]);
        $output = $this->logFile === '-' ? [1 => STDOUT, 2 => STDERR] : [1 => ['file', $this->logFile, 'a'], 2 => ['file', $this->logFile, 'a']];
        $this->process = proc_open($cmd, [0 => ['file', '/dev/null', 'r']] + $output, $pipes, dirname($router), $env + getenv());
        $this->pid = proc_get_status($this->process)['pid'];
        $this->awaitAddress("tcp://127.0.0.1:{$this->port}", 'php -S');
    }

    public function running(): bool
    {
        return is_resource($this->process) && proc_get_status($this->process)['running'];
    }

    /** @return array{status: int, headers: array<string,string>, body: string} */
    public function get(string $path, ?string $token = null, string $method = 'GET'): array
    {
        $headers = $token === null ? [] : ["Authorization: Bearer $token"];
        $context = stream_context_create(['http' => ['method' => $method, 'header' => $headers, 'ignore_errors' => true, 'timeout' => 30]]);
        $body = file_get_contents($this->url . $path, false, $context);
        $http_response_header ??= [];
        if ($body === false || $http_response_header === []) {
            throw new \RuntimeException("$method $path failed: " . $this->log());
        }
        preg_match('#^HTTP/\S+ (\d{3})#', $http_response_header[0], $m);
        $parsed = [];
        foreach (array_slice($http_response_header, 1) as $line) {
            [$name, $value] = array_map('trim', explode(':', $line, 2)) + [1 => ''];
            $parsed[strtolower($name)] = $value;
        }
        return ['status' => (int) $m[1], 'headers' => $parsed, 'body' => $body];
    }

    /** How many of the server's open files are $path or its -wal/-shm companions. */
    public function openFilesOf(string $path): int
    {
        return Fixture::openFilesOf($this->pid, $path);
    }
}
