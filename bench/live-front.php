<?php

declare(strict_types=1);

/*
 * The PHP-FPM script of the live-polling benchmark (bench/live.php): the API
 * wired as a panel wires it (public/index.php without the demo), signed in by
 * a header the load generator sets, X-Bench-Principal: customer:123. Its
 * classes come from the preload (php.ini.example), as in a panel.
 */

use StreamEvents\EventLog;
use StreamEvents\Http\Authenticator;
use StreamEvents\Http\EventLogController;
use StreamEvents\Http\Response;
use StreamEvents\Principal;

$signIn = new class () implements Authenticator {
    public function authenticate(): ?Principal
    {
        [$role, $id] = explode(':', (string) ($_SERVER['HTTP_X_BENCH_PRINCIPAL'] ?? '')) + [1 => '0'];
        return in_array($role, Principal::ROLES, true) && (int) $id > 0 ? Principal::of($role, (int) $id) : null;
    }
};
$store = (string) getenv('STREAM_EVENTS_DB');
$api = new EventLogController(static fn (): EventLog => EventLog::open($store), $signIn);
$path = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
($api->handle($_SERVER['REQUEST_METHOD'] ?? 'GET', $path, $_GET, $_SERVER['HTTP_IF_NONE_MATCH'] ?? null)
    ?? Response::error(404, 'not_found', "No route for $path."))->send();
