<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/**
 * The FastCGI a web server speaks to PHP-FPM, as far as a GET needs it: one
 * request per connection (as nginx does by default), the response taken from
 * its STDOUT records. Shared by PhpFpm (blocking) and the live-polling
 * benchmark (many connections at once).
 */
final class FastCgi
{
    /** The bytes of a GET of $uri served by $script, with HTTP request headers. */
    public static function get(string $script, string $uri, array $headers = []): string
    {
        $params = [
            'GATEWAY_INTERFACE' => 'CGI/1.1', 'SERVER_PROTOCOL' => 'HTTP/1.1', 'REQUEST_METHOD' => 'GET',
            'SCRIPT_FILENAME' => $script, 'SCRIPT_NAME' => '/' . basename($script), 'REQUEST_URI' => $uri,
            'QUERY_STRING' => (string) parse_url($uri, PHP_URL_QUERY), 'SERVER_NAME' => '127.0.0.1', 'SERVER_PORT' => '80',
            'REMOTE_ADDR' => '127.0.0.1',
        ];
        foreach ($headers as $name => $value) {
            $params['HTTP_' . strtoupper(str_replace('-', '_', $name))] = $value;
        }
        $pairs = '';
        foreach ($params as $name => $value) {
            $pairs .= self::length(strlen($name)) . self::length(strlen($value)) . $name . $value;
        }
        return self::record(1, pack('nCx5', 1, 0)) // BEGIN_REQUEST: responder, close after
            . self::record(4, $pairs) . self::record(4, '') // PARAMS
            . self::record(5, ''); // STDIN (empty)
    }

    /** The STDOUT of a response once $received holds all of it (END_REQUEST came), else null. */
    public static function stdout(string $received): ?string
    {
        $stdout = '';
        for ($at = 0; strlen($received) - $at >= 8; $at += 8 + $h['length'] + $h['padding']) {
            $h = unpack('Cversion/Ctype/nid/nlength/Cpadding', $received, $at);
            if (strlen($received) - $at < 8 + $h['length'] + $h['padding']) {
                return null;
            }
            if ($h['type'] === 6) {
                $stdout .= substr($received, $at + 8, $h['length']);
            } elseif ($h['type'] === 3) {
                return $stdout; // END_REQUEST
            }
        }
        return null;
    }

    /** @return array{status: int, headers: array<string,string>, body: string} headers by lower-case name */
    public static function response(string $stdout): array
    {
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
}
