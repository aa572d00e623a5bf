<?php

declare(strict_types=1);

/*
 * The RTMP hook without servers, against a real store and a clock of our own:
 * what nginx-rtmp's callbacks become (publish, publish_done, update_publish,
 * in the orders nginx really sends them), how a forged callback is read, how
 * unknown keys are named, and that the controller answers 2xx whatever goes
 * wrong behind a right secret. rtmp_hooks.php runs the real nginx.
 */

use StreamEvents\Actor;
use StreamEvents\EventLog;
use StreamEvents\Hook\HookController;
use StreamEvents\Hook\HookSecret;
use StreamEvents\Hook\InvalidHookRequest;
use StreamEvents\Hook\RtmpCallback;
use StreamEvents\Hook\RtmpConfig;
use StreamEvents\Hook\RtmpHook;
use StreamEvents\Hook\RtmpSessions;
use StreamEvents\Hook\SessionFiles;
use StreamEvents\Hook\RtmpStation;
use StreamEvents\Hook\StreamKeyFile;
use StreamEvents\Tests\Hooks\Harness;

require __DIR__ . '/Harness.php';

$t = new Harness('rtmp_units');
$service = 108;
$keys = ['station' => 'playout-3f9c2d81e7a4b6c0', 'alice' => 'alice-7d1e4b9a2c6f8e30', 'bob' => 'bob-0a5c7e2d9f1b3c84',
    'stranger' => 'zz-unknown-5b8e1f2a9d', 'short' => 'k9x'];
$keyFile = "{$t->dir}/stream-keys.json";
file_put_contents($keyFile, json_encode([(string) $service => ['station' => $keys['station'],
    'djs' => [$keys['alice'] => 'Alice', $keys['bob'] => 'Bob']]]));

// What nginx-rtmp posts: its fields first, then the publisher's own query string as it came.
$body = static fn (string $call, int $client, string $key, string $args = ''): string =>
    'app=live&flashver=FMLE/3.0%20(compatible%3B%20Lavf59.27&swfurl=&tcurl=rtmp://127.0.0.1:1935/live&pageurl='
    . "&addr=127.0.0.1&clientid=$client&call=$call&name=" . rawurlencode($key) . ($call === 'publish' ? '&type=live' : '')
    . ($args !== '' ? "&$args" : '');

// Reading a callback.
$c = RtmpCallback::fromBody($body('publish', 12, $keys['alice'], 'clientid=1&call=publish_done&addr=6.6.6.6&name=other&app=x'));
$t->check($c->call === 'publish' && $c->clientId === 12 && $c->addr === '127.0.0.1' && $c->streamKey === $keys['alice'] && $c->app === 'live',
    "nginx's own fields win over the same fields in the publisher's query string", json_encode([$c->call, $c->clientId, $c->addr, $c->app]));
$t->check(!str_contains(print_r($c, true), $keys['alice']), 'a dumped callback does not show the stream key');
$c = RtmpCallback::fromBody('call=publish&clientid=3&addr=not-an-ip&app=li%20ve&name=a%2Bb%26c');
$t->check($c->addr === null && $c->app === '' && $c->streamKey === 'a+b&c', 'percent-encoded names are decoded; a non-IP address and an odd app are left out');
foreach (['no clientid' => 'call=publish&name=x', 'no call' => 'clientid=4&name=x', 'a clientid that is no number' => 'call=publish&clientid=4x'] as $what => $raw) {
    try {
        RtmpCallback::fromBody($raw);
        $t->check(false, "a callback with $what is refused");
    } catch (InvalidHookRequest) {
        $t->check(true, "a callback with $what is refused");
    }
}

// Naming publishers.
$t->check(RtmpHook::unknownPublisher($keys['stranger']) === 'Unknown publisher …2a9d',
    'an unknown key shows its last 4 characters', RtmpHook::unknownPublisher($keys['stranger']));
$t->check(RtmpHook::unknownPublisher($keys['short']) === 'Unknown publisher' && RtmpHook::unknownPublisher('') === 'Unknown publisher'
    && RtmpHook::unknownPublisher('abcdefghijkl"<>&') === 'Unknown publisher', 'a short key, or one ending in odd characters, shows none of them');
$resolver = StreamKeyFile::fromPath($keyFile);
$t->check($resolver->djNameFor($service, $keys['alice']) === 'Alice' && $resolver->djNameFor($service + 1, $keys['alice']) === null
    && $resolver->isStationSource($service, $keys['station']) && !$resolver->isStationSource($service, $keys['alice'])
    && !$resolver->isStationSource($service + 1, $keys['station']), 'the demo resolver knows keys per service');
file_put_contents("{$t->dir}/broken.json", '{"108": {"station": "' . $keys['station'] . '"');
try {
    StreamKeyFile::fromPath("{$t->dir}/broken.json");
    $t->check(false, 'a broken key file is refused without quoting it');
} catch (RuntimeException $e) {
    $t->check(!str_contains($e->getMessage(), $keys['station']), 'a broken key file is refused without quoting it', $e->getMessage());
}

// The hook against a real store, with our own clock.
$store = $t->newStore();
$storeDir = dirname($store);
$secrets = HookSecret::fromKey(str_repeat('h', 40));
$sessions = new RtmpSessions(new SessionFiles("$storeDir/hooks"));
$hook = new RtmpHook(static fn (): EventLog => EventLog::open($store, [], $t->library), $resolver, $sessions, $secrets);
$now = (int) floor(microtime(true) * 1000) - 3_600_000;
$call = static function (string $call, int $client, string $key, int $after = 1_000, string $args = '') use ($hook, $service, $body, &$now): int {
    $now += $after;
    return $hook->handle($service, RtmpCallback::fromBody($body($call, $client, $key, $args)), $now);
};
$lines = static function () use ($t, $store): array {
    return array_map(static fn (array $e): string => $e['type'] . ($e['djName'] !== null ? " {$e['djName']}" : '')
        . (isset($e['details']['trigger']) ? " ({$e['details']['trigger']})" : '') . ($e['takeover'] ? ' takeover' : '')
        . ($e['actor']['type'] === 'user' ? " by {$e['actor']['name']}" : '')
        . (in_array($e['details']['reason'] ?? '', [RtmpHook::RESTART, RtmpHook::END_NOT_REPORTED], true) ? " ({$e['details']['reason']})" : ''),
        $t->events($store));
};
$expect = static function (array $want, string $what) use ($t, $lines): void {
    static $seen = 0;
    $got = array_slice($lines(), $seen);
    $t->check($got === $want, $what, 'got: ' . implode(', ', $got));
    $seen += count($got);
};

$call('publish', 1, $keys['station']);
$expect(['source.start'], "the station's playout publishing is source.start");
$call('publish', 2, $keys['alice']);
$expect(['dj.connect Alice', 'dj.on_air Alice takeover'], 'a presenter publishing is dj.connect then dj.on_air, taking over from the playlist');
// What nginx sends for a second publisher of a live stream: on_publish, then at once publish_done.
$call('publish', 3, $keys['alice'], 500, 'addr=198.51.100.9');
$call('publish_done', 3, $keys['alice'], 2);
$expect([], 'a second publisher of a live stream, refused by nginx, is not logged, and its end is no one\'s disconnect');
$call('publish', 4, $keys['bob']);
$call('publish_done', 4, $keys['bob'], 60_000);
$expect(['dj.connect Bob', 'dj.on_air Bob takeover', 'dj.disconnect Bob', 'dj.on_air Alice'],
    'a presenter taking over from another, then leaving: the other is on air again');
$sessions->update($service, static function (RtmpStation $s): void {
    $alice = $s->liveDj('Alice');
    $s->replace($alice->withKick(['actor' => Actor::user(7, 'Metro TV')->toArray(), 'reason' => 'off schedule']));
});
$call('publish_done', 2, $keys['alice']);
$expect(['dj.kicked Alice by Metro TV', 'autodj.on_air (dj_disconnect)'], 'a presenter the panel dropped is dj.kicked by whoever kicked; the playlist resumes');
$call('publish', 5, $keys['stranger'], 1_000, 'clientid=1&call=publish_done');
$call('publish_done', 5, $keys['stranger'], 30_000);
$expect(['dj.connect Unknown publisher …2a9d', 'dj.on_air Unknown publisher …2a9d takeover', 'dj.disconnect Unknown publisher …2a9d',
    'autodj.on_air (dj_disconnect)'], 'an unknown key is an unknown publisher; its forged fields do not end the playout');
$call('publish', 6, $keys['short']);
$expect(['dj.connect Unknown publisher', 'dj.on_air Unknown publisher takeover'], 'a short unknown key is named without any of it');
$call('publish_done', 6, $keys['short']);
$call('publish_done', 1, $keys['station']);
$expect(['dj.disconnect Unknown publisher', 'autodj.on_air (dj_disconnect)', 'source.stop'], 'the playout stopping is source.stop');
$call('play', 9, $keys['alice']);
$call('done', 9, $keys['alice']);
$call('update_publish', 77, $keys['alice']);
$call('publish_done', 78, $keys['alice']);
$expect([], 'viewers, updates and ends of clients the hook never saw log nothing');

// nginx restarted with Alice live, and the hook was not told: no publish_done came, and her next publish looks like a second publisher at first.
$call('publish', 20, $keys['alice']);
$expect(['dj.connect Alice', 'dj.on_air Alice'], 'Alice live again, with nothing else on air');
$held = $now + 1_000;
$call('publish', 3, $keys['alice']);
$call('update_publish', 3, $keys['alice'], 5_000);
$expect([], 'after a restart, the new publisher of the same stream is held back at first');
$call('update_publish', 3, $keys['alice'], 25_000);
$events = $t->events($store);
$expect(['dj.disconnect Alice (end_not_reported)', 'dj.connect Alice', 'dj.on_air Alice'],
    'its first update long after the start shows nginx let it through: the old session is closed, the new one logged');
$t->check(array_slice(array_column($events, 'timestamp'), -3) === [$held, $held, $held], 'at the time it began publishing', json_encode(array_slice($events, -3)));
$t->check(array_slice($events, -3)[0]['actor']['type'] === 'system', 'the unreported end is closed by the system actor');
$call('publish_done', 20, $keys['alice']);
$call('publish_done', 3, $keys['alice']);
$expect(['dj.disconnect Alice'], 'the end of the publisher from before the restart changes nothing; the new one ends');
// Same again without updates: the end shows it.
$call('publish', 30, $keys['bob']);
$call('publish', 31, $keys['bob']);
$call('publish_done', 31, $keys['bob'], 120_000);
$expect(['dj.connect Bob', 'dj.on_air Bob', 'dj.disconnect Bob (end_not_reported)', 'dj.connect Bob', 'dj.on_air Bob', 'dj.disconnect Bob'],
    'a held publisher ending long after its start was publishing: the old session is closed and its whole session logged at its end');

// The station's unit tells the hook nginx is starting: whatever is live was left by the last run.
$call('publish', 40, $keys['station']);
$call('publish', 41, $keys['alice']);
$expect(['source.start', 'dj.connect Alice', 'dj.on_air Alice takeover'], 'playout and Alice live');
$call('start', 0, '');
$expect(['source.stop (nginx_restart)', 'dj.disconnect Alice (nginx_restart)'], 'call=start closes every live session, by the system, reason nginx_restart');
$call('start', 0, '');
$expect([], 'a second start notice closes nothing more');
// Not told: a publish reusing a client id still live shows nginx numbered its connections afresh.
$call('publish', 1, $keys['station']);
$call('publish', 2, $keys['bob']);
$call('publish', 1, $keys['alice']);
$expect(['source.start', 'dj.connect Bob', 'dj.on_air Bob takeover', 'source.stop (nginx_restart)', 'dj.disconnect Bob (nginx_restart)',
    'dj.connect Alice', 'dj.on_air Alice'], 'a publish with a client id still live closes the old run\'s sessions before it');
$closes = array_values(array_filter($t->events($store), static fn (array $e): bool => ($e['details']['reason'] ?? '') === RtmpHook::RESTART));
$t->check(count($closes) === 4 && array_filter($closes, static fn (array $e): bool => $e['actor']['type'] !== 'system') === [],
    'restart closes are by the system actor', json_encode($closes));
$call('publish_done', 1, $keys['alice']);
$expect(['dj.disconnect Alice'], 'the new run goes on as usual');

$state = implode("\n", array_map('file_get_contents', glob("$storeDir/hooks/*")));
$t->check(array_filter($keys, static fn (string $k): bool => str_contains($state, $k)) === [] && str_contains($state, '"live"'),
    "the hook's state file holds no stream key");
$dj = array_values(array_filter($t->events($store), static fn (array $e): bool => $e['category'] === 'dj'));
$t->check(array_filter($dj, static fn (array $e): bool => $e['sourceIp'] !== '127.0.0.1' || $e['details']['app'] !== 'live'
    || $e['details']['protocol'] !== 'rtmp') === [], 'every DJ event carries the client address, the app and the protocol rtmp');

// The controller: 403 before anything for a wrong secret; 200 for a right one whatever fails behind it.
$errors = "{$t->dir}/php-errors.log";
ini_set('error_log', $errors);
$failingStore = static fn (): EventLog => throw new StreamEvents\Exception\StorageError('disk I/O error (test)');
$controller = static fn (Closure $openLog, ?Closure $secret = null): HookController => new HookController(
    $secret ?? static fn (): HookSecret => $secrets, $openLog,
    static fn (HookSecret $s, Closure $open): RtmpHook => new RtmpHook($open, $resolver, $sessions, $s));
$before = file_get_contents("$storeDir/hooks/rtmp-$service.json");
$r = $controller(static fn (): EventLog => EventLog::open($store, [], $t->library))
    ->handle('rtmp', (string) $service, $secrets->forService($service + 1), 'POST', [], $body('publish', 40, $keys['alice']));
$t->check($r->status === 403 && file_get_contents("$storeDir/hooks/rtmp-$service.json") === $before, 'a wrong secret is 403 and changes nothing');
$r = $controller($failingStore)->handle('rtmp', (string) $service, $secrets->forService($service), 'POST', [], $body('publish', 40, $keys['alice']));
$t->check($r->status === 200 && str_contains((string) @file_get_contents($errors), 'disk I/O error (test)'),
    'a right secret is 200 although the store failed; the failure goes to the error log', $r->status . ' ' . $r->bodyString());
$t->check($sessions->update($service, static fn (RtmpStation $s): ?string => $s->live(40)?->djName) === 'Alice',
    'the station is followed even while the store fails, so the end is not lost');
$r = $controller($failingStore, static fn (): HookSecret => throw new RuntimeException('hook key file unreadable (test)'))
    ->handle('rtmp', (string) $service, $secrets->forService($service), 'POST', [], $body('publish_done', 40, $keys['alice']));
$t->check($r->status === 200, 'without the hook key the RTMP hook still answers 200 (nginx would take the station off air)');
$r = $controller($failingStore)->handle('rtmp', (string) $service, $secrets->forService($service), 'POST', [], 'garbage');
$t->check($r->status === 200, 'a right secret with a body that is no callback is 200 as well');
$log = (string) @file_get_contents($errors);
$t->check(array_filter($keys, static fn (string $k): bool => str_contains($log, $k)) === [], 'no stream key in the error log', $log);

// The config.
foreach (['https://panel.example/hooks/rtmp/1/x', 'http://panel.example/a b', 'http://panel.example/x;y'] as $bad) {
    try {
        new RtmpConfig(1, $bad);
        $t->check(false, "hook URL '$bad' is refused for nginx-rtmp");
    } catch (InvalidArgumentException) {
        $t->check(true, "hook URL '$bad' is refused for nginx-rtmp");
    }
}
$conf = (new RtmpConfig(108, 'http://127.0.0.1:8080/hooks/rtmp/108/abc', 'tv', '127.0.0.1:19350'))->rtmpBlock();
$t->check(substr_count($conf, 'http://127.0.0.1:8080/hooks/rtmp/108/abc;') === 3 && str_contains($conf, 'access_log off;')
    && str_contains($conf, 'application tv {') && str_contains($conf, 'listen 127.0.0.1:19350;'),
    'the rtmp block calls the hook on publish, publish_done and update, with the stream-name access log off', $conf);
exit($t->summary());
