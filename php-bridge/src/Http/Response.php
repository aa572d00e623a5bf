<?php

declare(strict_types=1);

namespace StreamEvents\Http;

/**
 * An HTTP response whose body is either a string or an iterable of string
 * chunks; send() streams the latter chunk by chunk so a large export never
 * sits in memory.
 */
final class Response
{
    /** @param array<string,string> $headers
     *  @param string|iterable<string> $body */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string|iterable $body,
    ) {
    }

    public static function json(int $status, array|string $data, array $headers = []): self
    {
        $body = is_string($data) ? $data
            : json_encode($data, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
        return new self($status, ['Content-Type' => 'application/json; charset=utf-8',
            'Cache-Control' => 'no-store', 'X-Content-Type-Options' => 'nosniff'] + $headers, $body);
    }

    /** The one error shape of the API: {"error": {"code", "message", "parameter"?}}. */
    public static function error(int $status, string $code, string $message, ?string $parameter = null, array $headers = []): self
    {
        $error = ['code' => $code, 'message' => $message];
        if ($parameter !== null) {
            $error['parameter'] = $parameter;
        }
        return self::json($status, ['error' => $error], $headers);
    }

    public function isStreamed(): bool
    {
        return !is_string($this->body);
    }

    /** Body as one string (tests, small responses); consumes a streamed body. */
    public function bodyString(): string
    {
        if (is_string($this->body)) {
            return $this->body;
        }
        $out = '';
        foreach ($this->body as $chunk) {
            $out .= $chunk;
        }
        return $out;
    }

    public function send(): void
    {
        header_remove('X-Powered-By'); // also set expose_php=Off (php.ini.example): PHP adds it before any script runs
        http_response_code($this->status);
        foreach ($this->headers as $name => $value) {
            header("$name: $value");
        }
        if (is_string($this->body)) {
            echo $this->body;
            return;
        }
        // Streamed: drop PHP's output buffers so every chunk reaches the client
        // as it is produced instead of piling up in memory.
        while (ob_get_level() > 0) {
            ob_end_flush();
        }
        foreach ($this->body as $chunk) {
            echo $chunk;
            flush();
            if (connection_aborted()) {
                break; // the generator's finally closes the export
            }
        }
    }
}
