<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/**
 * php-fpm with one static worker on a free 127.0.0.1 port, configured with
 * php.ini.example's lines, plus a minimal FastCGI client (one request per
 * connection) to talk to it the way nginx would.
 */
final class PhpFpm
{
    use ChildProcess;

    public readonly int $port;
    public readonly int $masterPid;

    public function __construct(array $env)
    {
        $dir = Fixture::tempDir();
        $this->logFile = "$dir/fpm.log";
        $this->port = self::freePort();
        $user = posix_getpwuid(posix_geteuid())['name'];
        file_put_contents("$dir/fpm.conf", <<<CONF
            [global]
            error_log = {$this->logFile}
            daemonize = no
            [bridge]
            user = $user
            listen = 127.0.0.1:{$this->port}
            pm = static
            pm.max_children = 1
            clear_env = no
            catch_workers_output = yes
            CONF);
        $binary = trim((string) shell_exec('command -v php-fpm8.2 || command -v php-fpm'));
        if ($binary === '') {
            throw new \RuntimeException('php-fpm is not installed (Debian package php8.2-fpm)');
        }
        $cmd = [$binary, '--nodaemonize', '--allow-to-run-as-root', '-c', PreloadIni::write(), '-y', "$dir/fpm.conf"];
        $this->process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->logFile, 'a'], 2 => ['file', $this->logFile, 'a']],
            $pipes, $dir, $env + getenv());
        $this->masterPid = proc_get_status($this->process)['pid'];
        $this->awaitPort($this->port, 'php-fpm');
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
        $query = (string) parse_url($uri, PHP_URL_QUERY);
        $params = [
            'GATEWAY_INTERFACE' => 'CGI/1.1', 'SERVER_PROTOCOL' => 'HTTP/1.1', 'REQUEST_METHOD' => 'GET',
            'SCRIPT_FILENAME' => $script, 'SCRIPT_NAME' => '/' . basename($script), 'REQUEST_URI' => $uri,
            'QUERY_STRING' => $query, 'SERVER_NAME' => '127.0.0.1', 'SERVER_PORT' => '80', 'REMOTE_ADDR' => '127.0.0.1',
        ];
        foreach ($headers as $name => $value) {
            $params['HTTP_' . strtoupper(str_replace('-', '_', $name))] = $value;
        }
        $socket = stream_socket_client("tcp://127.0.0.1:{$this->port}", $errno, $errstr, 5);
        if ($socket === false) {
            throw new \RuntimeException("cannot connect to php-fpm: $errstr");
        }
        stream_set_timeout($socket, 30);
        $pairs = '';
        foreach ($params as $name => $value) {
            $pairs .= self::length(strlen($name)) . self::length(strlen($value)) . $name . $value;
        }
        fwrite($socket, self::record(1, pack('nCx5', 1, 0)) // BEGIN_REQUEST: responder, close after
            . self::record(4, $pairs) . self::record(4, '') // PARAMS
            . self::record(5, '')); // STDIN (empty)
        $stdout = '';
        while (true) {
            $header = self::read($socket, 8);
            $h = unpack('Cversion/Ctype/nid/nlength/Cpadding', $header);
            $content = self::read($socket, $h['length']);
            self::read($socket, $h['padding']);
            if ($h['type'] === 6) {
                $stdout .= $content;
            } elseif ($h['type'] === 3) {
                break; // END_REQUEST
            }
        }
        fclose($socket);
        [$head, $body] = explode("\r\n\r\n", $stdout, 2) + [1 => ''];
        $parsed = [];
        foreach (explode("\r\n", $head) as $line) {
            [$name, $value] = array_map('trim', explode(':', $line, 2)) + [1 => ''];
            $parsed[strtolower($name)] = $value;
        }
        return ['status' => (int) ($parsed['status'] ?? 200), 'headers' => $parsed, 'body' => $body];
    }


    private static function record(int $type, string $content): string
    {
        return pack('CCnnCx', 1, $type, 1, strlen($content), 0) . $content;
    }

    private static function length(int $n): string
    {
        return $n < 128 ? chr($n) : pack('N', $n | 0x80000000);
    }

    /** @param resource $socket */
    private static function read($socket, int $n): string
    {
        $data = '';
        while (strlen($data) < $n) {
            $chunk = fread($socket, $n - strlen($data));
            if ($chunk === false || $chunk === '') {
                throw new \RuntimeException('php-fpm closed the connection mid-record');
            }
            $data .= $chunk;
        }
        return $data;
    }
}
