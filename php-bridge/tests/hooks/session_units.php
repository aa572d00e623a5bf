<?php

declare(strict_types=1);

/*
 * The hooks' delivery keys and session files without servers, against a
 * real store and our own clock: a Liquidsoap event sent twice is stored
 * once; a new Liquidsoap run closes the DJ its last run left live, once; a
 * DJ login is named by the panel's resolver and its password kept nowhere;
 * an Icecast mount added again closes its open session first; session files
 * stay as they were when a change fails; the helpers print what HOOKS.md shows.
 */

use StreamEvents\EventLog;
use StreamEvents\Hook\DjLoginFile;
use StreamEvents\Hook\HookController;
use StreamEvents\Hook\HookSecret;
use StreamEvents\Hook\HookUrls;
use StreamEvents\Hook\IcecastHook;
use StreamEvents\Hook\LiquidsoapHook;
use StreamEvents\Hook\RtmpCallback;
use StreamEvents\Hook\RtmpConfig;
use StreamEvents\Hook\SessionFiles;
use StreamEvents\Tests\Hooks\Harness;

require __DIR__ . '/Harness.php';

$t = new Harness('session_units');
putenv('STREAM_EVENTS_HOOK_KEY');
$service = 12;
$store = $t->newStore();
$storeDir = dirname($store);
$log = EventLog::open($store, [], $t->library);
$sessions = new SessionFiles("$storeDir/hooks");
$logins = "{$t->dir}/logins.json";
file_put_contents($logins, json_encode([(string) $service => [['user' => 'source', 'password' => 'pw-of-carol', 'name' => 'Carol']]]));
$liquidsoap = new LiquidsoapHook($log, $sessions, DjLoginFile::fromPath($logins));
$now = (int) floor(microtime(true) * 1000) - 3_600_000;
$send = static function (string $type, string $run, string $id, array $fields = []) use ($liquidsoap, $service, &$now): int {
    $now += 1_000;
    return $liquidsoap->handle($service, ['type' => $type, 'time' => (string) $now, 'run' => $run, 'eventId' => $id] + $fields, $now);
};
$lines = static fn (): array => array_map(static fn (array $e): string => $e['type'] . ($e['djName'] !== null ? " {$e['djName']}" : '')
    . (isset($e['details']['trigger']) ? " ({$e['details']['trigger']})" : '') . (isset($e['details']['reason']) ? " ({$e['details']['reason']})" : '')
    . ($e['actor']['type'] === 'system' ? ' by system' : ''), $t->events($store, ['serviceId' => $service]));

// Liquidsoap: keys, names, restarts.
$send('autodj.on_air', 'run1', '1-a', ['trigger' => 'startup']);
$dj = ['djName' => 'source', 'sourceIp' => '198.51.100.4'];
$send('dj.connect', 'run1', '2-a', $dj + ['djPassword' => 'pw-of-carol']);
$onAir = $send('dj.on_air', 'run1', '3-a', $dj + ['takeover' => 'true']);
$again = $liquidsoap->handle($service, ['type' => 'dj.on_air', 'time' => (string) $now, 'run' => 'run1', 'eventId' => '3-a'] + $dj + ['takeover' => 'true'], $now + 5_000);
$t->check($again === $onAir && count($t->events($store)) === 3, 'an event sent again (same run and id) is stored once; the answer is the first one\'s id');
$t->check($lines() === ['autodj.on_air (startup) by system', 'dj.connect Carol', 'dj.on_air Carol'],
    'a DJ logging in as "source" is named by the panel\'s resolver, for the whole session', implode("\n", $lines()));
$restartAt = $now + 1_000;
$startup = $send('autodj.on_air', 'run2', '1-b', ['trigger' => 'startup']);
$t->check(array_slice($lines(), -2) === ['dj.disconnect Carol (liquidsoap_restart) by system', 'autodj.on_air (startup) by system'],
    'the first event of a new run closes the DJ the last run left live, just before it', implode("\n", $lines()));
$closing = array_slice($t->events($store), -2);
$t->check($closing[0]['timestamp'] === $restartAt && $closing[1]['timestamp'] === $restartAt && $closing[0]['sourceIp'] === '198.51.100.4',
    'at the new run\'s first event time, with the DJ\'s address', json_encode($closing));
$t->check($liquidsoap->handle($service, ['type' => 'autodj.on_air', 'trigger' => 'startup', 'time' => (string) $restartAt, 'run' => 'run2', 'eventId' => '1-b'], $now) === $startup
    && count($t->events($store)) === 5, 'the startup sent twice: stored once, and no second disconnect');
$send('autodj.on_air', 'run3', '1-c', ['trigger' => 'startup']);
$t->check(count($t->events($store)) === 6, 'a restart with nobody live closes nothing');
// The session file written after the close was lost (e.g. the bridge died in between): the close is keyed, so a retry adds nothing.
$state = "$storeDir/hooks/liquidsoap-$service.json";
$send('dj.connect', 'run3', '2-c', ['djName' => 'dave']);
$saved = file_get_contents($state);
$send('autodj.on_air', 'run4', '1-d', ['trigger' => 'startup']);
file_put_contents($state, $saved);
$liquidsoap->handle($service, ['type' => 'autodj.on_air', 'trigger' => 'startup', 'time' => (string) $now, 'run' => 'run4', 'eventId' => '1-d'], $now);
$t->check(count(array_keys($lines(), 'dj.disconnect dave (liquidsoap_restart) by system', true)) === 1 && count($t->events($store)) === 9,
    'a close repeated from an old session file is stored once', implode("\n", $lines()));
$t->check(!str_contains((string) file_get_contents($state), 'pw-of-carol') && !str_contains(json_encode($t->events($store)), 'pw-of-carol'),
    'the DJ\'s password is neither in the session file nor in the log');
$count = count($t->events($store));
$liquidsoap->handle($service, ['type' => 'dj.connect', 'djName' => 'erin', 'time' => (string) ($now + 3 * 86_400_000)], $now);
$liquidsoap->handle($service, ['type' => 'dj.disconnect', 'djName' => 'erin', 'time' => (string) ($now - 3 * 86_400_000)], $now);
$old = array_slice($t->events($store), 0, 1)[0];
$t->check(count($t->events($store)) === $count + 2 && $old['djName'] === 'erin' && $old['timestamp'] === $now - 3 * 86_400_000,
    'a call without run and id (an older snippet) is still logged; a spooled time days old is kept, one days ahead is not');

// Icecast: a mount added again closes its open session first.
$icecast = new IcecastHook($log, $sessions);
$mount = static fn (string $action, string $name, array $more = []) => $icecast->handle($service + 1, ['action' => $action, 'mount' => $name, 'server' => 'ice', 'port' => '8000'] + $more);
$mount('mount_add', '/a', ['ip' => '203.0.113.5']);
$mount('mount_add', '/b');
$mount('mount_add', '/a');
$mount('mount_remove', '/a');
$mount('mount_add', '/a');
$ice = $t->events($store, ['serviceId' => $service + 1]);
$t->check(array_map(static fn (array $e): string => "{$e['type']} {$e['details']['mount']}" . (isset($e['details']['reason']) ? " ({$e['details']['reason']})" : ''), $ice)
    === ['mount.connect /a', 'mount.connect /b', 'mount.disconnect /a (end_not_reported)', 'mount.connect /a', 'mount.disconnect /a', 'mount.connect /a'],
    'mount_add of a mount still open closes it first; other mounts and reported ends are left alone', json_encode(array_column($ice, 'details')));
$t->check($ice[2]['actor']['type'] === 'system' && $ice[2]['sourceIp'] === '203.0.113.5' && $ice[2]['details']['port'] === 8000
    && $ice[2]['timestamp'] === $ice[3]['timestamp'], 'the close carries the old session\'s details, at the new one\'s time', json_encode($ice[2]));

// Session files: a change that throws leaves the file as it was; names are checked.
$sessions->update('icecast-1', static function (array &$data): void {
    $data = ['kept' => true];
});
try {
    $sessions->update('icecast-1', static function (array &$data): void {
        $data = ['kept' => false];
        throw new RuntimeException('store down (test)');
    });
} catch (RuntimeException) {
}
$t->check($sessions->update('icecast-1', static fn (array &$data): mixed => $data) === ['kept' => true]
    && (fileperms("$storeDir/hooks/icecast-1.json") & 0o777) === 0o600, 'a failed change leaves the session file as it was (mode 0600)');
try {
    $sessions->update('../x-1', static fn (array &$d): null => null);
    $t->check(false, 'a session file name outside server-id is refused');
} catch (InvalidArgumentException) {
    $t->check(true, 'a session file name outside server-id is refused');
}

// The controller: session files it cannot write are 503, so Liquidsoap keeps the event and tries again.
$secrets = HookSecret::fromKey(str_repeat('s', 40));
$errors = "{$t->dir}/php-errors.log";
ini_set('error_log', $errors);
file_put_contents("{$t->dir}/not-a-folder", '');
$response = (new HookController(static fn (): HookSecret => $secrets, static fn (): EventLog => $log, null,
    static fn (): SessionFiles => new SessionFiles("{$t->dir}/not-a-folder/hooks")))
    ->handle('liquidsoap', (string) $service, $secrets->forService($service), 'POST', ['type' => 'dj.connect', 'djName' => 'x']);
$t->check($response->status === 503, 'session files that cannot be written are 503 (Liquidsoap retries)', $response->status . ' ' . $response->bodyString());
// A store setting the library refuses as invalid (a '-' in a database name) is the panel's fault, not the
// event's: 503, never the 400 on which Liquidsoap drops the event; the answer names no store.
$badStore = 'mysql://se:pw-of-store@127.0.0.1:1/stream-events';
foreach (['liquidsoap', 'icecast'] as $server) {
    $response = (new HookController(static fn (): HookSecret => $secrets, static fn (): EventLog => EventLog::open($badStore, [], $t->library)))
        ->handle($server, (string) $service, $secrets->forService($service), 'POST', ['type' => 'dj.connect', 'djName' => 'x', 'action' => 'mount_add', 'mount' => '/live']);
    $t->check($response->status === 503 && !str_contains($response->bodyString(), 'stream-events') && !str_contains($response->bodyString(), 'pw-of-store'),
        "$server: a store URI the library refuses is 503, naming no store", $response->status . ' ' . $response->bodyString());
}
$t->check(!str_contains((string) file_get_contents($errors), 'pw-of-store') && str_contains((string) file_get_contents($errors), 'mysql://se@127.0.0.1:1/stream-events'),
    'the error log names the store without its password');
// A mistyped URI is no file: no key file or session folder is made from it.
$t->check(!EventLog::isFilePath('mysql:/se:pw@db/events') && EventLog::isFilePath('/srv/a:b@c/events.sqlite'), 'a mistyped URI with a password is no file path');
try {
    putenv('STREAM_EVENTS_HOOK_STATE');
    SessionFiles::forStore('mysql:/se:pw@db/events');
    $t->check(false, 'the sessions of a mistyped URI are not kept next to it');
} catch (RuntimeException $e) {
    $t->check(!str_contains($e->getMessage(), 'pw'), 'the sessions of a mistyped URI are not kept next to it', $e->getMessage());
}

// The helpers.
$urls = new HookUrls('http://panel.example', $secrets);
$xml = simplexml_load_string($urls->icecastMount(42, '/live.mp3'));
$t->check($xml !== false && (string) $xml->{'mount-name'} === '/live.mp3' && count($xml->authentication->option) === 2,
    'with --mount the Icecast helper prints a whole <mount> block');
$notice = (new RtmpConfig(108, $urls->rtmp(108)))->startNotice();
$t->check(str_contains($notice, 'url = "' . $urls->rtmp(108) . '"') && str_contains($notice, 'data = "call=start"'),
    'the start notice is a curl config posting call=start to the service hook', $notice);
$t->check(RtmpCallback::fromBody('call=start')->call === RtmpCallback::START, 'the hook reads a start notice without a client id');
if (posix_geteuid() === 0) {
    $nobody = posix_getpwnam('nobody');
    $dir = "{$t->dir}/www-store";
    mkdir($dir, 0o700);
    chown($dir, $nobody['uid']);
    chgrp($dir, $nobody['gid']);
    HookSecret::forStore("$dir/events.sqlite");
    $t->check(fileowner("$dir/" . HookSecret::KEY_FILE) === $nobody['uid'] && filegroup("$dir/" . HookSecret::KEY_FILE) === $nobody['gid'],
        'a key file that root creates belongs to the owner of the store\'s folder');
}
exit($t->summary());
