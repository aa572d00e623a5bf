<?php

declare(strict_types=1);

/*
 * Delivery that loses nothing and leaves no session open, with a real
 * liquidsoap (2.1 series) and ffmpeg as DJs. Liquidsoap reaches the bridge
 * (php -S) through drop_proxy.php, which can lose the answer of a request
 * the bridge has committed. Checks, in the store:
 *   - the bridge (and proxy) down for 30 s while a DJ connects and goes on
 *     air: once it is back, every event is there exactly once, in order, with
 *     the time it happened in Liquidsoap (kept in the spool meanwhile);
 *   - an answer lost after the commit: Liquidsoap sends again, one event;
 *   - `kill -9` of Liquidsoap with a DJ on air whose events still wait in the
 *     spool, then a start: the spooled events, then dj.disconnect by the
 *     system (reason liquidsoap_restart), then autodj.on_air (startup);
 *   - the same restart again, its startup delivered twice: no second disconnect;
 *   - a DJ logging in as "source" with a password of their own is named by
 *     the panel's resolver, and the password is stored nowhere.
 */

use StreamEvents\Tests\Hooks\Harness;
use StreamEvents\Tests\Hooks\LiquidsoapService;

require __DIR__ . '/Harness.php';
require __DIR__ . '/LiquidsoapService.php';

$t = new Harness('liquidsoap_delivery');
$serviceId = 9;
$store = $t->newStore();
$storeDir = dirname($store);
$key = Harness::randomHookKey();
$password = 'bob-pw';
$logins = "{$t->dir}/dj-logins.json";
file_put_contents($logins, json_encode([(string) $serviceId => [['user' => 'source', 'password' => $password, 'name' => 'Bob Live']]]));
$env = ['STREAM_EVENTS_HOOK_KEY' => $key, 'STREAM_EVENTS_DJ_LOGINS' => $logins];

$bridge = $t->startBridge($store, $env);
$bridgePort = (int) parse_url($bridge, PHP_URL_PORT);
$proxyPort = Harness::freePort();
$dropFile = "{$t->dir}/drop";
$startProxy = static function () use ($t, $proxyPort, &$bridgePort, $dropFile): void {
    $t->start('proxy', [PHP_BINARY, __DIR__ . '/drop_proxy.php', (string) $proxyPort, (string) $bridgePort, $dropFile]);
    $t->waitPort($proxyPort, 10) || throw new RuntimeException("drop_proxy did not come up:\n" . $t->log('proxy'));
};
$startProxy();
$secret = substr((string) shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, $t->bridgeDir . '/bin/stream-events-icecast-auth',
    '--service', (string) $serviceId, '--base-url', $bridge, '--liquidsoap']))), -65, 64);
$ls = new LiquidsoapService($t, "http://127.0.0.1:$proxyPort/hooks/liquidsoap/$serviceId/$secret",
    ['send_login' => 'true', 'retry_max' => '2.']);

$lines = static fn (): array => array_map(static fn (array $e): string => $e['type'] . ($e['djName'] !== null ? " {$e['djName']}" : '')
    . (isset($e['details']['trigger']) ? "({$e['details']['trigger']})" : '')
    . (($e['details']['reason'] ?? '') === 'liquidsoap_restart' ? ' (liquidsoap_restart)' : ''), $t->events($store));
$has = static fn (string $line, int $times = 1): Closure => static fn (): bool => count(array_keys($lines(), $line, true)) >= $times;
$fail = static function (string $why) use ($t, $lines, $ls): never {
    $spool = $ls->spooled();
    $t->check(false, $why, 'events: ' . implode(', ', $lines())
        . "\nspool: " . implode(', ', array_map(static fn (string $f, array $e): string => "$f " . http_build_query($e), array_keys($spool), $spool))
        . "\nproxy log:\n" . $t->log('proxy') . "\nliquidsoap log (tail):\n" . $ls->logTail());
    exit($t->summary());
};
// The event ids of the proxy's lines "<outcome> type=<type>&…": the same id twice is one event sent twice.
$proxied = static function (string $outcome, string $type) use ($t): array {
    preg_match_all('/^' . $outcome . ' type=' . preg_quote(urlencode($type), '/') . '&.*eventId=([0-9a-f-]+)/m', $t->log('proxy'), $m);
    return $m[1];
};
$spooledTypes = static fn (): array => array_map(static fn (array $f): string => $f['type'] ?? '?', array_values($ls->spooled()));
$nowMs = static fn (): int => (int) floor(microtime(true) * 1000);

$ls->start() || $fail('liquidsoap opened its harbor and telnet ports');
$t->waitFor($has('autodj.on_air(startup)'), 20) ?? $fail('autodj.on_air (startup) was logged');
// The store has an event as soon as the bridge commits; Liquidsoap drops it
// from the spool only once the answer is back. Stopping the proxy in between
// loses that answer (Liquidsoap would rightly send the event again later), so
// each step below that takes the bridge down first waits for an empty spool.
$delivered = static fn (): bool => $ls->spooled() === [];
$t->waitFor($delivered, 10) ?? $fail('the startup left the spool once answered');
$t->check(is_dir($ls->spool) && (fileperms($ls->spool) & 0o777) === 0o700, 'the snippet created its spool folder, mode 0700');

// 1. The bridge down for 30 s while Alice connects and goes on air.
$t->stop('proxy');
$t->stopBridge();
$down = $nowMs();
$ls->dj('dj-alice', 'alice', 'alice-pw', 120);
$waiting = $t->waitFor(static fn (): ?array => $spooledTypes() === ['dj.connect', 'dj.on_air'] ? $ls->spooled() : null, 25)
    ?? $fail('dj.connect and dj.on_air wait in the spool while the bridge is down');
$t->check(array_filter(array_keys($waiting), static fn (string $f): bool => (fileperms("{$ls->spool}/$f") & 0o777) !== 0o600) === [],
    'spool files are mode 0600');
usleep(max(0, $down + 30_000 - $nowMs()) * 1000);
$t->check(count($t->events($store)) === 1 && $spooledTypes() === ['dj.connect', 'dj.on_air'],
    'after 30 s the store still has only the startup, the spool the two events', implode(', ', $lines()));
$bridge = $t->startBridge($store, $env);
$bridgePort = (int) parse_url($bridge, PHP_URL_PORT);
$startProxy();
$back = $nowMs();
$t->waitFor($has('dj.on_air alice'), 15) ?? $fail('the spooled events were delivered once the bridge was back');
$t->waitFor(static fn (): bool => $ls->spooled() === [], 5) ?? $fail('the spool is empty once delivered');
$events = $t->events($store);
$t->check($lines() === ['autodj.on_air(startup)', 'dj.connect alice', 'dj.on_air alice'], 'every event is there exactly once, in order', implode("\n", $lines()));
$times = array_map(static fn (string $name): int => (int) substr($name, 0, 15), array_keys($waiting));
$t->check(array_column(array_slice($events, 1), 'timestamp') === $times && $times[0] > $down && $times[1] < $back,
    'each keeps the time it happened in Liquidsoap, while the bridge was down', json_encode([$down, $times, $back]));

// 2. The bridge commits alice's disconnect, its answer is lost: Liquidsoap sends it again.
file_put_contents($dropFile, 'type=dj.disconnect');
$t->signal('dj-alice', SIGINT);
$t->waitFor($has('autodj.on_air(dj_disconnect)'), 20) ?? $fail('alice left and AutoDJ came back');
$t->check(count($proxied('dropped', 'dj.disconnect')) === 1 && $proxied('dropped', 'dj.disconnect') === $proxied('answered', 'dj.disconnect'),
    'the first answer to dj.disconnect was lost after the commit, Liquidsoap sent the same event again', $t->log('proxy'));
$t->check(count(array_keys($lines(), 'dj.disconnect alice', true)) === 1, 'alice\'s dj.disconnect is stored once', implode(', ', $lines()));

// 3. Bob (user "source", his own password) goes on air while the bridge is down; Liquidsoap is killed and starts again.
$t->waitFor($delivered, 10) ?? $fail('alice\'s disconnect and AutoDJ\'s return left the spool once answered');
$t->stop('proxy');
$ls->dj('dj-bob', 'source', $password, 120);
$t->waitFor(static fn (): bool => $spooledTypes() === ['dj.connect', 'dj.on_air'], 20) ?? $fail('bob\'s events wait in the spool');
$ls->kill();
$t->check($spooledTypes() === ['dj.connect', 'dj.on_air'], 'kill -9 leaves the spool as it was');
$ls->start() || $fail('liquidsoap started again');
$t->waitFor(static fn (): bool => $spooledTypes() === ['dj.connect', 'dj.on_air', 'autodj.on_air'], 20)
    ?? $fail('the new run\'s startup joins the spool behind the last run\'s events');
$startProxy();
$t->waitFor($has('autodj.on_air(startup)', 2), 20) ?? $fail('the spool was delivered after the restart');
$t->check(array_slice($lines(), -4) === ['dj.connect Bob Live', 'dj.on_air Bob Live', 'dj.disconnect Bob Live (liquidsoap_restart)', 'autodj.on_air(startup)'],
    'the last run\'s events, then dj.disconnect (liquidsoap_restart), then autodj.on_air (startup)', implode("\n", $lines()));
$close = array_values(array_filter($t->events($store), static fn (array $e): bool => ($e['details']['reason'] ?? '') === 'liquidsoap_restart'));
$startups = array_values(array_filter($t->events($store), static fn (array $e): bool => ($e['details']['trigger'] ?? '') === 'startup'));
$t->check(count($close) === 1 && $close[0]['actor'] === ['type' => 'system', 'id' => null, 'name' => null] && $close[0]['sourceIp'] === '127.0.0.1'
    && $close[0]['timestamp'] === end($startups)['timestamp'], 'the restart\'s disconnect is by the system, at the startup\'s time, with the DJ\'s address',
    json_encode($close));

// 4. The same restart again (nobody on air now), its startup's answer lost: one startup more, no disconnect more.
file_put_contents($dropFile, 'type=autodj.on_air&');
$ls->kill();
$ls->start() || $fail('liquidsoap started a third time');
$t->waitFor($has('autodj.on_air(startup)', 3), 20) ?? $fail('the third run\'s startup was delivered');
// The store has the event as soon as the bridge commits; the proxy writes its
// "dropped" line only once the bridge's answer has come back: wait for it.
$droppedOnce = static fn (): bool => count($proxied('dropped', 'autodj.on_air')) === 1;
$resent = static fn (): bool => ($dropped = $proxied('dropped', 'autodj.on_air')) !== [] && in_array($dropped[0], $proxied('answered', 'autodj.on_air'), true);
$t->check($t->waitFor($droppedOnce, 15) && $t->waitFor($resent, 15) && $droppedOnce(),
    'the startup\'s first answer was lost, and Liquidsoap sent the same event again', $t->log('proxy'));
$t->check(count(array_keys($lines(), 'autodj.on_air(startup)', true)) === 3
    && count(array_filter($lines(), static fn (string $l): bool => str_contains($l, 'liquidsoap_restart'))) === 1,
    'one startup per run and still one restart disconnect', implode("\n", $lines()));

// The DJ's password: sent for the panel to name him, kept nowhere.
$places = ['bridge log' => $t->log('bridge'), 'liquidsoap log' => $t->log('liquidsoap')];
foreach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator($storeDir, FilesystemIterator::SKIP_DOTS)) as $file) {
    $places['store file ' . basename((string) $file)] = (string) file_get_contents((string) $file);
}
$t->check(isset($places['store file liquidsoap-9.json']) && array_keys(array_filter($places, static fn (string $s): bool => str_contains($s, $password))) === [],
    'the DJ\'s password is in no store, session file or log', implode(', ', array_keys($places)));
$t->check(!str_contains($t->log('bridge'), 'PHP Fatal') && !str_contains($t->log('bridge'), 'PHP Warning'), 'the bridge logged no PHP errors', $t->log('bridge'));
exit($t->summary());
