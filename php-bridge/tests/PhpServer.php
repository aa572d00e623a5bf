<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/**
 * `php -S` on a free 127.0.0.1 port with the bridge preloaded and FFI limited
 * to preloaded code, as under FPM (php.ini.example's lines). Stopped by stop()
 * or when the object goes away.
 */
final class PhpServer
{
    use ChildProcess;

    public readonly int $port;
    public readonly int $pid;

    public function __construct(string $router, array $env)
    {
        $dir = Fixture::tempDir();
        $this->logFile = "$dir/server.log";
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $this->port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        $cmd = [PHP_BINARY, '-c', PreloadIni::write(), '-d', 'opcache.enable_cli=1', '-S', "127.0.0.1:{$this->port}", $router];
        $this->process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->logFile, 'a'], 2 => ['file', $this->logFile, 'a']],
            $pipes, dirname($router), $env + getenv());
        $this->pid = proc_get_status($this->process)['pid'];
        $deadline = microtime(true) + 15;
        while (@fsockopen('127.0.0.1', $this->port, $errno, $errstr, 0.2) === false) {
            if (!proc_get_status($this->process)['running'] || microtime(true) > $deadline) {
                $this->stop();
                throw new \RuntimeException("php -S did not come up on port {$this->port}: " . $this->log());
            }
            usleep(20_000);
        }
    }

    /** @return array{status: int, headers: array<string,string>, body: string} */
    public function get(string $path, ?string $token = null, string $method = 'GET'): array
    {
        $headers = $token === null ? [] : ["Authorization: Bearer $token"];
        $context = stream_context_create(['http' => ['method' => $method, 'header' => $headers, 'ignore_errors' => true, 'timeout' => 30]]);
        $body = file_get_contents("http://127.0.0.1:{$this->port}$path", false, $context);
        $http_response_header ??= [];
        if ($body === false || $http_response_header === []) {
            throw new \RuntimeException("GET $path failed: " . $this->log());
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

/** php.ini.example with its paths pointed at this checkout and user. */
final class PreloadIni
{
    public static function write(): string
    {
        $example = file_get_contents(dirname(__DIR__) . '/php.ini.example');
        $user = posix_getpwuid(posix_geteuid())['name'];
        $ini = preg_replace(
            ['/^opcache\.preload=.*$/m', '/^opcache\.preload_user=.*$/m'],
            ['opcache.preload=' . dirname(__DIR__) . '/preload.php', "opcache.preload_user=$user"],
            $example, -1, $count);
        if ($count !== 2) {
            throw new \LogicException('php.ini.example lost its opcache.preload or opcache.preload_user line');
        }
        $path = Fixture::tempDir() . '/php.ini';
        file_put_contents($path, $ini);
        return $path;
    }
}
