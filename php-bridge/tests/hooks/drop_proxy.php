<?php

declare(strict_types=1);

/*
 * A one-connection-at-a-time HTTP proxy between Liquidsoap and the bridge
 * that can lose an answer: the bridge gets the whole request and commits,
 * the caller gets its connection closed with no answer, as when a panel
 * restarts between the two.
 *
 *   php drop_proxy.php LISTEN_PORT BRIDGE_PORT DROP_FILE
 *
 * While DROP_FILE exists and its content occurs in a request body, that
 * request's answer is dropped and DROP_FILE removed (one drop per file).
 * One line per request on stdout: "<answered|dropped|unreachable> <body>".
 */

[, $listenPort, $bridgePort, $dropFile] = $argv + [null, null, null, null];
if (!ctype_digit((string) $listenPort) || !ctype_digit((string) $bridgePort) || !is_string($dropFile)) {
    fwrite(STDERR, "usage: php drop_proxy.php LISTEN_PORT BRIDGE_PORT DROP_FILE\n");
    exit(2);
}
$server = stream_socket_server("tcp://127.0.0.1:$listenPort", $errno, $errstr);
if ($server === false) {
    fwrite(STDERR, "drop_proxy: cannot listen on 127.0.0.1:$listenPort: $errstr\n");
    exit(1);
}

/** The whole HTTP message on $socket: headers, then Content-Length bytes (or up to EOF). */
function readMessage($socket): string
{
    $message = '';
    while (!str_contains($message, "\r\n\r\n") && ($chunk = fread($socket, 8192)) !== false && $chunk !== '') {
        $message .= $chunk;
    }
    [$head, $body] = explode("\r\n\r\n", $message, 2) + [1 => ''];
    $length = preg_match('/^Content-Length:\s*(\d+)/mi', $head, $m) ? (int) $m[1] : null;
    while (($length === null || strlen($body) < $length) && ($chunk = fread($socket, 8192)) !== false && $chunk !== '') {
        $body .= $chunk;
    }
    return "$head\r\n\r\n$body";
}

while (true) {
    $client = @stream_socket_accept($server, -1);
    if ($client === false) {
        continue;
    }
    stream_set_timeout($client, 10);
    $request = readMessage($client);
    $body = (string) substr($request, strpos($request, "\r\n\r\n") + 4);
    // One request per connection: the answer ends at EOF.
    $request = preg_replace('/^Connection:.*\r\n/mi', '', $request);
    $request = preg_replace('/\r\n\r\n/', "\r\nConnection: close\r\n\r\n", $request, 1);
    $bridge = @stream_socket_client("tcp://127.0.0.1:$bridgePort", $errno, $errstr, 5);
    if ($bridge === false) {
        echo "unreachable $body\n";
        fclose($client);
        continue;
    }
    stream_set_timeout($bridge, 10);
    fwrite($bridge, $request);
    $answer = stream_get_contents($bridge);
    fclose($bridge);
    $drop = is_file($dropFile) ? (string) file_get_contents($dropFile) : '';
    if ($drop !== '' && str_contains($body, $drop)) {
        unlink($dropFile);
        echo "dropped $body\n";
    } else {
        fwrite($client, (string) $answer);
        echo "answered $body\n";
    }
    fclose($client);
}
