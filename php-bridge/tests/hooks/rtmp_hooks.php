<?php

declare(strict_types=1);

/*
 * A real nginx with the RTMP module (libnginx-mod-rtmp), configured by
 * bin/stream-events-rtmp-config --nginx-conf and run as an unprivileged user
 * (nobody when we are root), calls the bridge under php -S; ffmpeg publishes
 * as the station's playout and as presenters. Checks, in the store:
 *   the playout is source.start / source.stop; a presenter is dj.connect and
 *   dj.on_air (takeover) with the panel's name for the key and the client IP;
 *   a second publisher of the same stream, which nginx refuses, leaves no trace;
 *   a kick through nginx-rtmp's control module (RtmpControl) is dj.kicked, and a
 *   reconnect is a fresh session; an unknown key is an unknown publisher whose
 *   forged callback fields change nothing; a wrong secret is 403 with nothing
 *   logged; a right one is 200 even when the store fails;
 * and no stream key appears in the store, the hook's state, exports, API
 * answers, pages or the logs of the bridge and nginx.
 */

use StreamEvents\Actor;
use StreamEvents\EventLog;
use StreamEvents\Hook\RtmpControl;
use StreamEvents\Hook\RtmpSessions;
use StreamEvents\Tests\Hooks\Harness;

require __DIR__ . '/Harness.php';

$t = new Harness('rtmp');
$serviceId = 108;
$store = $t->newStore();
$storeDir = dirname($store);
$log = EventLog::open($store, [], $t->library);
$log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Panel Admin', 'resellerId' => null],
    ['id' => 7, 'role' => 'customer', 'name' => 'Metro TV', 'resellerId' => null]],
    [['id' => $serviceId, 'name' => 'Metro TV One', 'ownerId' => 7, 'kind' => 'tv', 'status' => 'active', 'removed' => false]]);

// The panel's stream keys, as the demo resolver reads them; the stranger's is known to nobody.
$keys = ['station' => 'playout-' . bin2hex(random_bytes(10)), 'alice' => 'alice-' . bin2hex(random_bytes(10)),
    'stranger' => 'x' . bin2hex(random_bytes(10))];
$keyFile = "{$t->dir}/stream-keys.json";
file_put_contents($keyFile, json_encode([(string) $serviceId => ['station' => $keys['station'], 'djs' => [$keys['alice'] => 'Alice Anchor']]]));
$stranger = 'Unknown publisher …' . substr($keys['stranger'], -4);

$hookKey = Harness::randomHookKey();
$bridge = $t->startBridge($store, ['STREAM_EVENTS_HOOK_KEY' => $hookKey, 'STREAM_EVENTS_STREAM_KEYS' => $keyFile, 'STREAM_EVENTS_DEMO' => '1']);

// nginx, as HOOKS.md says: the printed nginx.conf, a prefix owned by the user that runs it.
$prefix = "{$t->dir}/nginx";
mkdir("$prefix/logs", 0o755, true);
$rtmpPort = Harness::freePort();
$controlPort = Harness::freePort();
exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, $t->bridgeDir . '/bin/stream-events-rtmp-config',
    '--service', (string) $serviceId, '--base-url', $bridge, '--store', $store, '--nginx-conf', $prefix,
    '--listen', "127.0.0.1:$rtmpPort", '--control-listen', "127.0.0.1:$controlPort"])) . ' 2>&1', $out, $code);
$conf = implode("\n", $out) . "\n";
$t->check($code === 0 && substr_count($conf, "$bridge/hooks/rtmp/$serviceId/") === 3, 'the generator prints an nginx.conf calling the service hook', $conf);
file_put_contents("$prefix/nginx.conf", $conf);
$nginx = ['nginx', '-p', $prefix, '-c', "$prefix/nginx.conf", '-e', "$prefix/logs/error.log", '-g', 'daemon off;'];
$drop = Harness::unprivilegedUser();
if ($drop !== null) {
    exec('chown -R ' . escapeshellarg("{$drop['uid']}:{$drop['gid']}") . ' ' . escapeshellarg($prefix));
    $nginx = ['setpriv', "--reuid={$drop['uid']}", "--regid={$drop['gid']}", '--clear-groups', ...$nginx];
}
$t->start('nginx', $nginx);
if (!$t->check($t->waitPort($rtmpPort, 10) && $t->waitPort($controlPort, 5), 'nginx with the RTMP module is up',
    $t->log('nginx') . @file_get_contents("$prefix/logs/error.log"))) {
    exit($t->summary());
}
$t->check($drop === null || fileowner("$prefix/nginx.pid") === $drop['uid'], 'nginx runs as an unprivileged user');

$publish = static function (string $name, string $key, int $seconds, string $args = '') use ($t, $rtmpPort): void {
    $t->start($name, ['ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', "testsrc=size=160x120:rate=10:duration=$seconds", '-c:v', 'flv', '-b:v', '100k', '-g', '10', '-an',
        '-f', 'flv', "rtmp://127.0.0.1:$rtmpPort/live/$key" . ($args !== '' ? "?$args" : '')]);
};
$lines = static fn (): array => array_map(static fn (array $e): string => $e['type'] . ($e['djName'] !== null ? " {$e['djName']}" : '')
    . (isset($e['details']['trigger']) ? "({$e['details']['trigger']})" : '') . ($e['takeover'] ? ' takeover' : '')
    . ($e['actor']['type'] === 'user' ? " by {$e['actor']['name']}" : ''), $t->events($store));
$has = static fn (string $line, int $times = 1): Closure => static fn (): bool => count(array_keys($lines(), $line, true)) >= $times;
$fail = static function (string $why) use ($t, $lines, $prefix): never {
    $t->check(false, $why, 'events: ' . implode(', ', $lines()) . "\nbridge log:\n" . $t->log('bridge')
        . "\nnginx error log:\n" . @file_get_contents("$prefix/logs/error.log"));
    exit($t->summary());
};

// The station's playout, then Alice taking the air from it.
$publish('playout', $keys['station'], 120);
$t->waitFor($has('source.start'), 15) ?? $fail("the playout's publish was logged as source.start");
$publish('alice', $keys['alice'], 120);
$t->waitFor($has('dj.on_air Alice Anchor takeover'), 15) ?? $fail('Alice went on air');

// A second publisher on Alice's stream: nginx calls on_publish, refuses it, then calls on_publish_done.
$before = $lines();
$publish('alice-again', $keys['alice'], 10, 'addr=198.51.100.66');
$code = $t->waitExit('alice-again', 15);
$t->check($code !== null && $code !== 0 && str_contains($t->log('alice-again'), 'Already publishing'),
    'nginx refuses a second publisher of a live stream', 'ffmpeg exit ' . var_export($code, true) . ': ' . $t->log('alice-again'));
usleep(1_000_000);
$t->check($lines() === $before && $t->running('alice'), 'the refused publisher is not logged, and Alice is still live and not disconnected',
    implode(', ', $lines()));

// The panel kicks Alice through nginx's control module; she reconnects, then stops.
$kicked = (new RtmpControl("http://127.0.0.1:$controlPort/control", RtmpSessions::forStore($store)))
    ->kick($serviceId, Actor::user(7, 'Metro TV'), 'off schedule');
$t->check($kicked === 'Alice Anchor', 'RtmpControl::kick drops the presenter on air', var_export($kicked, true));
$t->check($t->waitExit('alice', 10) !== null, "the kicked presenter's encoder lost its connection");
$t->waitFor($has('autodj.on_air(dj_disconnect)'), 10) ?? $fail('the playlist resumed after the kick');
$publish('alice-back', $keys['alice'], 4);
$t->waitFor($has('dj.on_air Alice Anchor takeover', 2), 15) ?? $fail('Alice went on air again');
$t->waitFor($has('autodj.on_air(dj_disconnect)', 2), 15) ?? $fail('the playlist resumed when Alice stopped');

// A key the panel does not know, with callback fields of its own in the query string.
$publish('stranger', $keys['stranger'], 3, 'call=publish_done&clientid=1&addr=203.0.113.99&name=x');
$t->waitFor($has('autodj.on_air(dj_disconnect)', 3), 15) ?? $fail('the unknown publisher came and went');

$t->signal('playout', SIGINT);
$t->waitFor($has('source.stop'), 15) ?? $fail("the playout's end was logged as source.stop");

$t->check($lines() === [
    'source.start',
    'dj.connect Alice Anchor', 'dj.on_air Alice Anchor takeover', 'dj.kicked Alice Anchor by Metro TV', 'autodj.on_air(dj_disconnect)',
    'dj.connect Alice Anchor', 'dj.on_air Alice Anchor takeover', 'dj.disconnect Alice Anchor', 'autodj.on_air(dj_disconnect)',
    "dj.connect $stranger", "dj.on_air $stranger takeover", "dj.disconnect $stranger", 'autodj.on_air(dj_disconnect)',
    'source.stop',
], 'the events landed in this order: playout up, Alice on air, kicked, back and gone, the stranger likewise, playout down', implode("\n", $lines()));
$events = $t->events($store);
$t->check(array_filter($events, static fn (array $e): bool => $e['serviceId'] !== $serviceId || $e['sourceIp'] !== '127.0.0.1'
    || $e['details']['app'] !== 'live' || $e['details']['protocol'] !== 'rtmp') === [],
    "every event is the service's, from 127.0.0.1 (not a forged addr), with app live and protocol rtmp", json_encode($events));
$kick = array_values(array_filter($events, static fn (array $e): bool => $e['type'] === 'dj.kicked'))[0] ?? [];
$t->check(($kick['details']['reason'] ?? null) === 'off schedule' && ($kick['actor'] ?? null) === ['type' => 'user', 'id' => 7, 'name' => 'Metro TV'],
    'dj.kicked names who kicked and why', json_encode($kick));
$t->check((new RtmpControl("http://127.0.0.1:$controlPort/control", RtmpSessions::forStore($store)))->kick($serviceId, Actor::system()) === null,
    'a kick with nobody on air drops nobody');

// nginx killed with Alice live: no publish_done comes, and nginx says nothing when it starts. The
// station's unit posts the start notice before nginx starts again (ExecStartPre=-curl -K, as HOOKS.md says).
$notice = "$prefix/stream-events-start.curl";
exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, $t->bridgeDir . '/bin/stream-events-rtmp-config',
    '--service', (string) $serviceId, '--base-url', $bridge, '--store', $store, '--start-notice'])) . ' > ' . escapeshellarg($notice), $out, $code);
chmod($notice, 0o600);
$publish('alice-live', $keys['alice'], 120);
$t->waitFor($has('dj.on_air Alice Anchor'), 15) ?? $fail('Alice went on air with the playlist down');
$master = (int) @file_get_contents("$prefix/nginx.pid");
$workers = array_map('intval', preg_split('/\s+/', trim((string) @file_get_contents("/proc/$master/task/$master/children")), -1, PREG_SPLIT_NO_EMPTY));
if ($master < 1) {
    $fail("nginx wrote no pid to $prefix/nginx.pid");
}
foreach ([...$workers, $master] as $pid) {
    posix_kill($pid, SIGKILL);
}
$t->waitExit('nginx', 10);
$t->stop('nginx');
$t->check($t->waitExit('alice-live', 10) !== null, "Alice's encoder lost nginx");
$before = count($lines());
$curl = static function () use ($notice): int {
    exec('curl -K ' . escapeshellarg($notice) . ' 2>&1', $out, $code);
    return $code;
};
$t->check($curl() === 0 && array_slice($lines(), $before - 1) === ['dj.on_air Alice Anchor', 'dj.disconnect Alice Anchor'],
    'the start notice closes the session nginx left open', implode("\n", $lines()));
$close = array_slice($t->events($store), -1)[0];
$t->check($close['actor']['type'] === 'system' && ($close['details']['reason'] ?? null) === 'nginx_restart' && $close['sourceIp'] === '127.0.0.1',
    'by the system, reason nginx_restart, with the presenter\'s address', json_encode($close));
$t->check($curl() === 0 && count($lines()) === $before + 1, 'a second start notice closes nothing more');
$t->start('nginx', $nginx);
$t->waitPort($rtmpPort, 10) || $fail('nginx started again');
$publish('alice-after', $keys['alice'], 3);
$t->waitFor(static fn (): bool => count($lines()) === $before + 4, 15) ?? $fail('Alice published to the new nginx and stopped');
$t->check(array_slice($lines(), $before + 1) === ['dj.connect Alice Anchor', 'dj.on_air Alice Anchor', 'dj.disconnect Alice Anchor'],
    'the new nginx run goes on as usual', implode("\n", $lines()));

// Secrets: a wrong one is 403 and logs nothing; a right one is 200 even when the store cannot be opened.
$secret = preg_match("#/hooks/rtmp/$serviceId/([0-9a-f]{64});#", $conf, $m) ? $m[1] : '';
$callback = ['app' => 'live', 'addr' => '127.0.0.1', 'clientid' => '999', 'call' => 'publish', 'name' => $keys['alice'], 'type' => 'live'];
$count = count($t->events($store));
foreach (['a wrong secret' => strrev($secret), 'no secret' => ''] as $what => $given) {
    [$status] = Harness::post("$bridge/hooks/rtmp/$serviceId/$given", $callback);
    $t->check($status === 403, "a callback with $what gets 403", "status $status");
}
$t->check(count($t->events($store)) === $count, 'the refused callbacks logged nothing');
mkdir("{$t->dir}/broken-store/events.sqlite", 0o700, true);
$broken = $t->startBridge("{$t->dir}/broken-store/events.sqlite",
    ['STREAM_EVENTS_HOOK_KEY' => $hookKey, 'STREAM_EVENTS_STREAM_KEYS' => $keyFile], 'bridge-broken');
[$status, $body] = Harness::post("$broken/hooks/rtmp/$serviceId/$secret", $callback);
$t->check($status === 200 && $t->waitFor(static fn (): bool => str_contains($t->log('bridge-broken'), 'stream-events hooks: rtmp'), 5),
    'with a right secret the hook answers 200 although the store cannot be opened, and says why in the error log',
    "$status $body\n" . $t->log('bridge-broken'));

// The stream keys, nowhere: store and state files, exports, API, pages, logs of the bridge and of nginx.
$get = static function (string $path) use ($bridge): string {
    $body = @file_get_contents("$bridge$path", false, stream_context_create(['http' => ['timeout' => 10, 'ignore_errors' => true,
        'header' => 'Authorization: Bearer demo-admin']]));
    return (string) $body;
};
$places = [];
foreach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator($storeDir, FilesystemIterator::SKIP_DOTS)) as $file) {
    $places['store file ' . basename((string) $file)] = (string) file_get_contents((string) $file);
}
foreach (['/controller/EventLog?per_page=100', "/controller/EventLog/$serviceId?q=Unknown", '/controller/EventLog?format=csv',
    "/controller/EventLog/$serviceId?format=jsonl", '/stream-events', "/services/$serviceId/stream-events"] as $path) {
    $places["GET $path"] = $get($path);
}
foreach (glob("$prefix/logs/*") as $file) {
    $places['nginx ' . basename($file)] = (string) file_get_contents($file);
}
$places['bridge log'] = $t->log('bridge') . $t->log('bridge-broken');
$t->check(str_contains($places['GET /controller/EventLog?format=csv'], 'Alice Anchor') && str_contains($places["GET /services/$serviceId/stream-events"], 'Metro TV One')
    && str_contains($places["GET /controller/EventLog/$serviceId?q=Unknown"], substr($keys['stranger'], -4)),
    'the places searched hold the events (names, the unknown key\'s last 4 characters)');
$t->check(count($places) >= 10 && isset($places['store file events.sqlite-wal'], $places['store file rtmp-108.json']),
    'the search covers the store, its WAL and the hook state', implode(', ', array_keys($places)));
foreach ($keys as $who => $key) {
    $found = array_keys(array_filter($places, static fn (string $text): bool => str_contains($text, $key) || str_contains($text, substr($key, 0, -4))));
    $t->check($found === [], "the stream key of $who appears nowhere (at most its last 4 characters)", implode(', ', $found));
}
exit($t->summary());
