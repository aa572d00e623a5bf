<?php

declare(strict_types=1);

/*
 * A real liquidsoap (2.1 series) with php-bridge/liquidsoap/stream-events.liq,
 * an AutoDJ playlist of generated tones and a harbor input; ffmpeg connects
 * as DJs with logins. Checks, in the store:
 *   autodj.on_air (startup), dj.connect, dj.on_air (takeover), dj.disconnect,
 *   autodj.on_air (dj_disconnect) in this order with DJ name and source IP;
 *   a second DJ connecting while the first is live is not logged;
 *   a DJ kicked by the panel (stream_events.kick) is one dj.kicked and no dj.disconnect;
 *   a DJ who connects while the previous DJ's buffered tail still plays follows on air:
 *   one dj.on_air with takeover=false, and AutoDJ never back in between.
 * A 4 s harbor buffer, so that the tail outlasts the next DJ's encoder starting.
 */

use StreamEvents\Tests\Hooks\Harness;
use StreamEvents\Tests\Hooks\LiquidsoapService;

require __DIR__ . '/Harness.php';
require __DIR__ . '/LiquidsoapService.php';

$t = new Harness('liquidsoap');
$serviceId = 7;
$store = $t->newStore();
$storeDir = dirname($store);

// The environment-key route this time.
$key = Harness::randomHookKey();
$bridge = $t->startBridge($store, ['STREAM_EVENTS_HOOK_KEY' => $key]);
$hook = trim((string) shell_exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, $t->bridgeDir . '/bin/stream-events-icecast-auth',
    '--service', (string) $serviceId, '--base-url', $bridge, '--store', $store, '--liquidsoap']))));
$t->check((bool) preg_match("#^\Q$bridge\E/hooks/liquidsoap/$serviceId/[0-9a-f]{64}$#", $hook), 'the generator prints the Liquidsoap hook URL', $hook);
$t->check(!is_file("$storeDir/stream-events-hook.key"), 'with STREAM_EVENTS_HOOK_KEY set, no key file is written');

$ls = new LiquidsoapService($t, $hook, ['buffer' => '4.']);
$types = static fn (): array => array_map(static fn (array $e): string => $e['type'] . (isset($e['details']['trigger']) ? "({$e['details']['trigger']})" : '')
    . ($e['djName'] !== null ? " {$e['djName']}" : ''), $t->events($store));
$has = static fn (string $line, int $times = 1): Closure => static fn (): bool => count(array_keys($types(), $line, true)) >= $times;
$fail = static function (string $why) use ($t, $types, $ls): never {
    $t->check(false, $why, 'events: ' . implode(', ', $types()) . "\nliquidsoap log (tail):\n" . $ls->logTail());
    exit($t->summary());
};

$ls->start() || $fail('liquidsoap opened its harbor and telnet ports');

$t->waitFor($has('autodj.on_air(startup)'), 15) ?? $fail('autodj.on_air (startup) was logged');

$dj = $ls->dj(...);

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
$reply = $ls->command('stream_events.kick abusive language');
$t->check(str_contains($reply, 'Kicked bob.'), 'the server command stream_events.kick disconnects the live DJ', $reply);
$t->check($t->waitExit('dj-bob', 10) !== null, "the kicked DJ's client was disconnected");
$t->waitFor($has('autodj.on_air(dj_disconnect)', 2), 15) ?? $fail('autodj.on_air (dj_disconnect) after the kick');

// Alice again; she stops and Bob connects at once, while her buffered tail still plays.
$dj('dj-alice-2', 'alice', 'alice-pw', 60);
$t->waitFor($has('dj.on_air alice', 2), 20) ?? $fail('alice went on air again');
$t->signal('dj-alice-2', SIGINT);
$t->waitExit('dj-alice-2', 10);
$dj('dj-bob-2', 'bob', 'bob-pw', 60);
$t->waitFor($has('dj.on_air bob', 2), 20) ?? $fail('bob followed alice on air');
$t->signal('dj-bob-2', SIGINT);
$t->waitExit('dj-bob-2', 10);
$t->waitFor($has('autodj.on_air(dj_disconnect)', 3), 15) ?? $fail('autodj.on_air (dj_disconnect) after bob left');

$events = $t->events($store);
$t->check($types() === [
    'autodj.on_air(startup)',
    'dj.connect alice', 'dj.on_air alice', 'dj.disconnect alice', 'autodj.on_air(dj_disconnect)',
    'dj.connect bob', 'dj.on_air bob', 'dj.kicked bob', 'autodj.on_air(dj_disconnect)',
    'dj.connect alice', 'dj.on_air alice', 'dj.disconnect alice',
    'dj.connect bob', 'dj.on_air bob', 'dj.disconnect bob', 'autodj.on_air(dj_disconnect)',
], 'the events landed in this order: startup, alice connect/on air/disconnect, AutoDJ back, bob connect/on air/kicked, AutoDJ back, '
    . 'alice again, bob following her without AutoDJ in between, AutoDJ back; the refused bob was not logged',
    implode("\n", $types()));
$dj = array_values(array_filter($events, static fn (array $e): bool => $e['category'] === 'dj'));
$t->check($dj !== [] && array_filter($dj, static fn (array $e): bool => $e['sourceIp'] !== '127.0.0.1' || $e['serviceId'] !== $serviceId) === [],
    'every DJ event has the service id and the source IP 127.0.0.1', json_encode($dj));
$byType = static fn (string $type, string $name, int $nth = 0): ?array
    => array_values(array_filter($dj, static fn ($e) => $e['type'] === $type && $e['djName'] === $name))[$nth] ?? null;
$t->check(($byType('dj.on_air', 'alice')['takeover'] ?? null) === true && ($byType('dj.on_air', 'bob')['takeover'] ?? null) === true
    && ($byType('dj.on_air', 'alice', 1)['takeover'] ?? null) === true,
    'dj.on_air carries takeover=true (the DJ took the air from AutoDJ)');
$t->check(($byType('dj.on_air', 'bob', 1)['takeover'] ?? null) === false,
    'dj.on_air of a DJ who follows another DJ carries takeover=false', json_encode($byType('dj.on_air', 'bob', 1)));
$t->check(($byType('dj.connect', 'alice')['actor'] ?? null) === ['type' => 'dj', 'id' => null, 'name' => 'alice'], 'dj.connect is by the DJ');
$kick = $byType('dj.kicked', 'bob');
$t->check(($kick['details']['reason'] ?? null) === 'abusive language' && ($kick['actor']['type'] ?? null) === 'system',
    'dj.kicked carries the reason given to the kick command', json_encode($kick));
// The snippet logs (label stream_events) only failures: of a hook call or of a callback.
$t->check(!str_contains($t->log('liquidsoap'), '[stream_events:'), 'every hook call and callback in liquidsoap succeeded',
    implode("\n", preg_grep('/stream_events/', explode("\n", $t->log('liquidsoap')))));
exit($t->summary());
