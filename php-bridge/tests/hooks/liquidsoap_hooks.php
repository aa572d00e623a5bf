<?php

declare(strict_types=1);

/*
 * A real liquidsoap (2.1 series) with php-bridge/liquidsoap/stream-events.liq,
 * an AutoDJ playlist of generated tones and a harbor input; ffmpeg connects
 * as DJs with logins. Checks, in the store:
 *   autodj.on_air (startup), dj.connect, dj.on_air (takeover), dj.disconnect,
 *   autodj.on_air (dj_disconnect) in this order with DJ name and source IP;
 *   a second DJ connecting while the first is live is not logged;
 *   a DJ kicked by the panel (stream_events.kick) is one dj.kicked and no dj.disconnect.
 */

use StreamEvents\Tests\Hooks\Harness;

require __DIR__ . '/Harness.php';

$t = new Harness('liquidsoap');
$serviceId = 7;
$storeDir = "{$t->dir}/store";
mkdir($storeDir, 0o700);
$store = "$storeDir/events.sqlite";

// The environment-key route this time.
$key = bin2hex(random_bytes(32));
putenv("STREAM_EVENTS_HOOK_KEY=$key");
$bridge = $t->startBridge($store, ['STREAM_EVENTS_HOOK_KEY' => $key]);
$hook = trim((string) shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, $t->bridgeDir . '/bin/stream-events-icecast-auth',
    '--service', (string) $serviceId, '--base-url', $bridge, '--store', $store, '--liquidsoap']))));
$t->check((bool) preg_match("#^\Q$bridge\E/hooks/liquidsoap/$serviceId/[0-9a-f]{64}$#", $hook), 'the generator prints the Liquidsoap hook URL', $hook);
$t->check(!is_file("$storeDir/stream-events-hook.key"), 'with STREAM_EVENTS_HOOK_KEY set, no key file is written');

// AutoDJ: three short generated tones.
$music = "{$t->dir}/music";
mkdir($music, 0o755);
foreach ([330, 440, 550] as $hz) {
    exec("ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i sine=frequency=$hz:duration=4 -c:a libvorbis -y " . escapeshellarg("$music/tone$hz.ogg"), $out, $code);
    if ($code !== 0) {
        throw new RuntimeException("ffmpeg could not make $music/tone$hz.ogg");
    }
}

$harborPort = Harness::freePort();
$telnetPort = Harness::freePort();
$snippet = $t->bridgeDir . '/liquidsoap/stream-events.liq';
$allowRoot = posix_geteuid() === 0 ? 'settings.init.allow_root.set(true)' : '';
$script = "{$t->dir}/service.liq";
file_put_contents($script, <<<LIQ
$allowRoot
settings.log.stdout.set(true)
settings.log.file.set(false)
settings.log.level.set(3)
settings.harbor.bind_addrs.set(["127.0.0.1"])
settings.server.telnet.set(true)
settings.server.telnet.bind_addr.set("127.0.0.1")
settings.server.telnet.port.set($telnetPort)

%include "$snippet"

# The panel's DJ logins.
def check_dj(user, password)
  (user == "alice" and password == "alice-pw") or (user == "bob" and password == "bob-pw")
end

radio = stream_events_radio(hook="$hook", port=$harborPort, mount="/live",
                            buffer=1., auth=check_dj,
                            playlist(mode="normal", reload_mode="never", "$music"))
output.dummy(radio)

LIQ);

$t->start('liquidsoap', ['liquidsoap', $script]);
$types = static fn (): array => array_map(static fn (array $e): string => $e['type'] . (isset($e['details']['trigger']) ? "({$e['details']['trigger']})" : '')
    . ($e['djName'] !== null ? " {$e['djName']}" : ''), $t->events($store));
$has = static fn (string $line, int $times = 1): Closure => static fn (): bool => count(array_keys($types(), $line, true)) >= $times;
$fail = static function (string $why) use ($t, $types): never {
    $t->check(false, $why, "events: " . implode(', ', $types()) . "\nliquidsoap log (tail):\n" . implode("\n", array_slice(explode("\n", $t->log('liquidsoap')), -30)));
    exit($t->summary());
};

if (!$t->waitPort($harborPort, 30) || !$t->waitPort($telnetPort, 5)) {
    $fail('liquidsoap opened its harbor and telnet ports');
}
$t->waitFor($has('autodj.on_air(startup)'), 15) ?? $fail('autodj.on_air (startup) was logged');

$dj = static function (string $name, string $user, string $password, int $seconds) use ($t, $harborPort): void {
    $t->start($name, ['ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', "sine=frequency=660:duration=$seconds", '-c:a', 'libvorbis',
        '-content_type', 'application/ogg', '-f', 'ogg', "icecast://$user:$password@127.0.0.1:$harborPort/live"]);
};

// Alice goes live and takes the air from AutoDJ.
$dj('dj-alice', 'alice', 'alice-pw', 60);
$t->waitFor($has('dj.on_air alice'), 20) ?? $fail('alice went on air');

// Bob tries while Alice is live: harbor runs auth (which accepts his login),
// then refuses him because the mount is taken.
$dj('dj-bob-early', 'bob', 'bob-pw', 5);
$code = $t->waitExit('dj-bob-early', 15);
$t->check($code !== null && $code !== 0, 'a second DJ is refused while the first is live', 'ffmpeg exit: ' . var_export($code, true));
$t->check($t->running('dj-alice'), 'the first DJ is still connected after the refusal');

// Alice stops (ffmpeg closes the stream on SIGINT); AutoDJ resumes.
$t->signal('dj-alice', SIGINT);
$t->waitExit('dj-alice', 10);
$t->waitFor($has('autodj.on_air(dj_disconnect)'), 15) ?? $fail('autodj.on_air (dj_disconnect) after alice left');

// Bob goes live, and the panel kicks him.
$dj('dj-bob', 'bob', 'bob-pw', 60);
$t->waitFor($has('dj.on_air bob'), 20) ?? $fail('bob went on air');
$telnet = stream_socket_client("tcp://127.0.0.1:$telnetPort", $errno, $errstr, 5) ?: $fail("telnet: $errstr");
stream_set_timeout($telnet, 5);
fwrite($telnet, "stream_events.kick abusive language\n");
$reply = '';
while (!str_contains($reply, "END") && ($line = fgets($telnet)) !== false) {
    $reply .= $line;
}
fwrite($telnet, "quit\n");
fclose($telnet);
$t->check(str_contains($reply, 'Kicked bob.'), 'the server command stream_events.kick disconnects the live DJ', $reply);
$t->check($t->waitExit('dj-bob', 10) !== null, "the kicked DJ's client was disconnected");
$t->waitFor($has('autodj.on_air(dj_disconnect)', 2), 15) ?? $fail('autodj.on_air (dj_disconnect) after the kick');

$events = $t->events($store);
$t->check($types() === [
    'autodj.on_air(startup)',
    'dj.connect alice', 'dj.on_air alice', 'dj.disconnect alice', 'autodj.on_air(dj_disconnect)',
    'dj.connect bob', 'dj.on_air bob', 'dj.kicked bob', 'autodj.on_air(dj_disconnect)',
], 'the events landed in this order: startup, alice connect/on air/disconnect, AutoDJ back, bob connect/on air/kicked, AutoDJ back; the refused bob was not logged',
    implode("\n", $types()));
$dj = array_values(array_filter($events, static fn (array $e): bool => $e['category'] === 'dj'));
$t->check($dj !== [] && array_filter($dj, static fn (array $e): bool => $e['sourceIp'] !== '127.0.0.1' || $e['serviceId'] !== $serviceId) === [],
    'every DJ event has the service id and the source IP 127.0.0.1', json_encode($dj));
$byType = static fn (string $type, string $name): ?array => array_values(array_filter($dj, static fn ($e) => $e['type'] === $type && $e['djName'] === $name))[0] ?? null;
$t->check(($byType('dj.on_air', 'alice')['takeover'] ?? null) === true && ($byType('dj.on_air', 'bob')['takeover'] ?? null) === true,
    'dj.on_air carries takeover=true (the DJ took the air from AutoDJ)');
$t->check(($byType('dj.connect', 'alice')['actor'] ?? null) === ['type' => 'dj', 'id' => null, 'name' => 'alice'], 'dj.connect is by the DJ');
$kick = $byType('dj.kicked', 'bob');
$t->check(($kick['details']['reason'] ?? null) === 'abusive language' && ($kick['actor']['type'] ?? null) === 'system',
    'dj.kicked carries the reason given to the kick command', json_encode($kick));
// The snippet logs (label stream_events) only failures: of a hook call or of a callback.
$t->check(!str_contains($t->log('liquidsoap'), '[stream_events:'), 'every hook call and callback in liquidsoap succeeded',
    implode("\n", preg_grep('/stream_events/', explode("\n", $t->log('liquidsoap')))));
exit($t->summary());
