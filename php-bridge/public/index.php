<?php

declare(strict_types=1);

/*
 * Front controller of the demo server (`php -S 127.0.0.1:PORT -t php-bridge/public php-bridge/public/index.php`;
 * -t makes the assets under public/ reachable).
 * It stands in for the host panel: it authenticates (demo bearer tokens, demo
 * mode only), then hands a principal to the controllers.
 *
 * Environment: STREAM_EVENTS_DB (store, default <repo>/var/demo.sqlite),
 * STREAM_EVENTS_LIB (default <repo>/.build/release/libeventlog.so),
 * STREAM_EVENTS_DEMO=1 (enables the demo sign-in), STREAM_EVENTS_STREAM_KEYS (the
 * RTMP hook's stream keys, a JSON file; the demo's by default in demo mode),
 * STREAM_EVENTS_RTMP_STATE (the RTMP hook's state folder; default next to the store).
 *
 * Routes are grouped in delimited blocks, one per owner; add new ones as a new
 * block above the final 404, with targeted edits.
 *
 * php -S is not the CLI SAPI: with the default ffi.enable=preload, FFI only
 * works from preloaded classes. Start it with the preload (as under FPM):
 *   php -d opcache.enable=1 -d opcache.enable_cli=1 -d ffi.enable=preload \
 *       -d opcache.preload=php-bridge/preload.php -d opcache.preload_user=$(id -un) \
 *       -S 127.0.0.1:8080 -t php-bridge/public php-bridge/public/index.php
 * (or, less strictly, php -d ffi.enable=1 -S ...).
 */

use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Http\DemoAuth;
use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;

require __DIR__ . '/../autoload.php';

$repoRoot = dirname(__DIR__, 2);
$storePath = getenv('STREAM_EVENTS_DB') ?: $repoRoot . '/var/demo.sqlite';
$libraryPath = getenv('STREAM_EVENTS_LIB') ?: $repoRoot . '/.build/release/libeventlog.so';

$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$path = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);

// php -S: let existing files under public/ (assets) be served as they are.
if (PHP_SAPI === 'cli-server' && $path !== '/' && is_file(__DIR__ . $path)) {
    return false;
}

// The signed-in principal (null when nobody is signed in).
$principal = DemoAuth::principal($_SERVER, $_COOKIE);

// The store, opened once per process; failures become a JSON 503.
$openEventLog = static function () use ($storePath, $libraryPath): EventLog {
    return EventLog::open($storePath, [], $libraryPath);
};

// ---- routes: /controller/EventLog API (bridge) ----------------------------
if (preg_match('#^/controller/EventLog(?:/([^/]*))?/?$#', $path, $m)) {
    (static function () use ($m, $method, $principal, $openEventLog): void {
        if ($method !== 'GET' && $method !== 'HEAD') {
            Response::error(405, 'method_not_allowed', "Method $method is not allowed here; use GET.", null, ['Allow' => 'GET, HEAD'])->send();
            return;
        }
        if ($principal === null) {
            Response::error(401, 'unauthorized', 'Sign in first (demo: Authorization: Bearer demo-admin, demo-reseller or demo-customer).',
                null, ['WWW-Authenticate' => 'Bearer realm="stream-events"'])->send();
            return;
        }
        $serviceId = null;
        if (isset($m[1])) {
            if (!preg_match('/^[1-9][0-9]{0,17}$/', $m[1])) {
                Response::error(400, 'invalid_parameter', 'The service id in the path must be a positive integer.', 'id')->send();
                return;
            }
            $serviceId = (int) $m[1];
        }
        try {
            $log = $openEventLog();
        } catch (EventLogException $e) {
            error_log('stream-events: ' . $e->getMessage());
            Response::error(503, 'unavailable', 'The event store is not available.')->send();
            return;
        }
        (new EventLogController($log))->handle($principal, $serviceId, $_GET)->send();
    })();
    return;
}
// ---- end routes: /controller/EventLog API ---------------------------------

// ---- routes: Stream Events pages + demo sign-in switcher (ui) ---------------
// GET /stream-events, GET /services/{id}/stream-events, GET /demo/sign-in?as=...
// (demo only). Assets under /assets/ are static files (served above by php -S).
$pageResponse = (new StreamEvents\Ui\PageController(
    $openEventLog,
    DemoAuth::enabled() ? require $repoRoot . '/php-bridge/demo/directory.php' : null,
))->handle($method, $path, $_GET, $principal);
if ($pageResponse !== null) {
    $pageResponse->send();
    return;
}
if ($path === '/' && DemoAuth::enabled()) {
    (new Response(302, ['Location' => '/stream-events'], ''))->send();
    return;
}
// ---- end routes: Stream Events pages (ui) ----------------------------------

// ---- routes: stream-server hooks (hooks; see php-bridge/HOOKS.md) ----------
// POST /hooks/icecast/{serviceId}/{secret}, POST /hooks/liquidsoap/{serviceId}/{secret},
// POST /hooks/rtmp/{serviceId}/{secret}. The RTMP hook names publishers through
// the panel's StreamKeyResolver; here the demo's: a JSON file (STREAM_EVENTS_STREAM_KEYS).
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
    ))->handle($m[1], $m[2], $m[3] ?? '', $method, $_POST, $m[1] === 'rtmp' ? (string) file_get_contents('php://input') : '')->send();
    return;
}
// ---- end routes: stream-server hooks ---------------------------------------

// ---- fallback: no route matched --------------------------------------------
Response::error(404, 'not_found', "No route for $method $path.")->send();
