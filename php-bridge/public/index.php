<?php

declare(strict_types=1);

/*
 * Front controller of the demo server, and the wiring a panel copies: the
 * controllers route, authenticate (through the Authenticator they are given),
 * refuse what they must and open the store themselves; a panel passes its own
 * Authenticator where this passes the demo's, and leaves out the demo lines.
 *
 *   php -S 127.0.0.1:8080 -t php-bridge/public php-bridge/public/index.php
 *   (with the preload as under FPM: see php.ini.example; or -d ffi.enable=1)
 *
 * Environment: STREAM_EVENTS_DB (the store, default <repo>/var/demo.sqlite; a
 * file, or a MariaDB/MySQL database: mysql://user:password@host:port/database),
 * STREAM_EVENTS_LIB (the library, see StreamEvents\LibraryPath),
 * STREAM_EVENTS_DEMO=1 (the demo sign-in, banner and menu), STREAM_EVENTS_STREAM_KEYS
 * (the RTMP hook's stream keys, a JSON file; the demo's by default in demo mode),
 * STREAM_EVENTS_HOOK_STATE (the hooks' session files; default next to an SQLite store),
 * STREAM_EVENTS_HOOK_KEY or STREAM_EVENTS_HOOK_KEY_FILE (the hooks' key; see Hook\HookSecret),
 * STREAM_EVENTS_DJ_LOGINS (the Liquidsoap hook's DJ logins, a JSON file).
 */

use StreamEvents\Demo\DemoAuth;
use StreamEvents\Demo\DemoController;
use StreamEvents\EventLog;
use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;
use StreamEvents\Ui\PageController;
use StreamEvents\Ui\PageView;

require __DIR__ . '/../demo/autoload.php'; // a panel: php-bridge/autoload.php or Composer's

$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$path = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);

// php -S: let existing files under public/ (assets) be served as they are.
if (PHP_SAPI === 'cli-server' && $path !== '/' && is_file(__DIR__ . $path)) {
    return false;
}

$repoRoot = dirname(__DIR__, 2);
$storePath = getenv('STREAM_EVENTS_DB') ?: $repoRoot . '/var/demo.sqlite';
$openEventLog = static fn (): EventLog => EventLog::open($storePath);
$auth = new DemoAuth($_SERVER, $_COOKIE);
$demo = new DemoController(require __DIR__ . '/../demo/directory.php');

$api = new EventLogController($openEventLog, $auth);
// The pages: a panel passes the services a viewer may see (the pickers and
// status labels come from them), the viewer's language and its own layout,
// where the demo passes its stand-in panel's (outside demo mode, a bare page).
$pages = new PageController($api, $auth,
    openEventLog: $openEventLog,
    services: DemoAuth::enabled() ? $demo->servicesFor(...) : null,
    language: (string) ($_SERVER['HTTP_ACCEPT_LANGUAGE'] ?? ''),
    layout: DemoAuth::enabled() ? static fn (PageView $view): string => $demo->frame($view, $auth->authenticate(), $_SERVER['REQUEST_URI'] ?? '/') : null,
);
$response = $api->handle($method, $path, $_GET, $_SERVER['HTTP_IF_NONE_MATCH'] ?? null) // 304 for the live pages' polls
    ?? $demo->handle($method, $path, $_GET, $auth->authenticate())
    ?? $pages->handle($method, $path, $_GET);
if ($response !== null) {
    $response->send();
    return;
}

// ---- routes: stream-server hooks (hooks; see php-bridge/HOOKS.md) ----------
// POST /hooks/icecast/{serviceId}/{secret}, POST /hooks/liquidsoap/{serviceId}/{secret},
// POST /hooks/rtmp/{serviceId}/{secret}. The RTMP hook names publishers through
// the panel's StreamKeyResolver, the Liquidsoap hook DJs through its DjLoginResolver;
// here the demo's: JSON files (STREAM_EVENTS_STREAM_KEYS, STREAM_EVENTS_DJ_LOGINS).
if (preg_match('#^/hooks/(icecast|liquidsoap|rtmp)/([^/]*)(?:/([^/]*))?/?$#', $path, $m)) {
    (new StreamEvents\Hook\HookController(
        static fn (): StreamEvents\Hook\HookSecret => StreamEvents\Hook\HookSecret::forStore($storePath),
        $openEventLog,
        static fn (StreamEvents\Hook\HookSecret $secrets, Closure $openLog): StreamEvents\Hook\RtmpHook => new StreamEvents\Hook\RtmpHook(
            $openLog,
            StreamEvents\Hook\StreamKeyFile::fromPath(getenv('STREAM_EVENTS_STREAM_KEYS')
                ?: (DemoAuth::enabled() ? $repoRoot . '/php-bridge/demo/stream-keys.json' : null)),
            StreamEvents\Hook\RtmpSessions::forStore($storePath),
            $secrets,
        ),
        static fn (): StreamEvents\Hook\SessionFiles => StreamEvents\Hook\SessionFiles::forStore($storePath),
        static fn (): StreamEvents\Hook\DjLoginFile => StreamEvents\Hook\DjLoginFile::fromPath(getenv('STREAM_EVENTS_DJ_LOGINS') ?: null),
    ))->handle($m[1], $m[2], $m[3] ?? '', $method, $_POST, $m[1] === 'rtmp' ? (string) file_get_contents('php://input') : '')->send();
    return;
}
// ---- end routes: stream-server hooks ---------------------------------------

// ---- fallback: no route matched --------------------------------------------
Response::error(404, 'not_found', "No route for $method $path.")->send();
