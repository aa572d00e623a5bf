<?php

declare(strict_types=1);

/*
 * The hook classes without servers, against a real store: secrets (derived,
 * key file 0600, refused when readable by others), the generated Icecast
 * block, and what each hook refuses.
 */

use StreamEvents\EventLog;
use StreamEvents\Hook\HookSecret;
use StreamEvents\Hook\HookUrls;
use StreamEvents\Hook\IcecastHook;
use StreamEvents\Hook\InvalidHookRequest;
use StreamEvents\Hook\LiquidsoapHook;
use StreamEvents\Tests\Hooks\Harness;

require __DIR__ . '/Harness.php';

$t = new Harness('hook_units');
putenv('STREAM_EVENTS_HOOK_KEY');

// Secrets.
$keyFile = "{$t->dir}/keys/" . HookSecret::KEY_FILE;
$a = HookSecret::fromKeyFile($keyFile);
$t->check((fileperms($keyFile) & 0o777) === 0o600 && filesize($keyFile) === 32, 'a new key file holds 32 bytes, mode 0600');
$b = HookSecret::fromKeyFile($keyFile);
$t->check($a->forService(42) === $b->forService(42) && preg_match('/^[0-9a-f]{64}$/', $a->forService(42)) === 1,
    'the same key file gives the same 64-hex secret');
$t->check($a->forService(42) !== $a->forService(43), 'services get different secrets');
$t->check($a->verify(42, $a->forService(42)) && !$a->verify(42, $a->forService(43)) && !$a->verify(42, '')
    && !$a->verify(42, strtoupper($a->forService(42))), 'verify accepts only the exact secret of that service');
$other = HookSecret::fromKey(str_repeat('k', 32));
$t->check($other->forService(42) !== $a->forService(42), 'another key gives other secrets');
chmod($keyFile, 0o644);
try {
    HookSecret::fromKeyFile($keyFile);
    $t->check(false, 'a key file readable by others is refused');
} catch (RuntimeException $e) {
    $t->check(str_contains($e->getMessage(), 'chmod 600'), 'a key file readable by others is refused', $e->getMessage());
}
try {
    HookSecret::fromKey('short');
    $t->check(false, 'a hook key under 32 characters is refused');
} catch (InvalidArgumentException) {
    $t->check(true, 'a hook key under 32 characters is refused');
}
putenv('STREAM_EVENTS_HOOK_KEY=' . str_repeat('e', 40));
$t->check(HookSecret::forStore("{$t->dir}/nowhere/x.sqlite")->forService(1) === HookSecret::fromKey(str_repeat('e', 40))->forService(1)
    && !is_dir("{$t->dir}/nowhere"), 'STREAM_EVENTS_HOOK_KEY wins over the key file');
putenv('STREAM_EVENTS_HOOK_KEY');

// The Icecast block.
$urls = new HookUrls('http://panel.example:8080/base/', $other);
$xml = simplexml_load_string($urls->icecastAuthentication(42));
$options = [];
foreach ($xml->option as $option) {
    $options[(string) $option['name']] = (string) $option['value'];
}
$expected = 'http://panel.example:8080/base/hooks/icecast/42/' . $other->forService(42);
$t->check((string) $xml['type'] === 'url' && $options === ['mount_add' => $expected, 'mount_remove' => $expected],
    'the Icecast block is <authentication type="url"> with mount_add and mount_remove to the service hook', json_encode($options));
$t->check($urls->liquidsoap(42) === 'http://panel.example:8080/base/hooks/liquidsoap/42/' . $other->forService(42), 'the Liquidsoap hook URL');
foreach (['panel.example', 'ftp://x', 'http://a b', 'http://x/?q=1'] as $bad) {
    try {
        new HookUrls($bad, $other);
        $t->check(false, "base URL '$bad' is refused");
    } catch (InvalidArgumentException) {
        $t->check(true, "base URL '$bad' is refused");
    }
}

// The hooks against a real store.
$store = "{$t->dir}/store/events.sqlite";
mkdir(dirname($store), 0o700);
$log = EventLog::open($store, [], $t->library);
$icecast = new IcecastHook($log);
$liquidsoap = new LiquidsoapHook($log);
$refused = static function (callable $call, string $what) use ($t): void {
    try {
        $call();
        $t->check(false, $what);
    } catch (InvalidHookRequest|StreamEvents\Exception\InvalidArgument $e) {
        $t->check(true, $what);
    }
};
$refused(fn () => $icecast->handle(1, ['action' => 'mount_add']), 'Icecast: no mount is refused');
$refused(fn () => $icecast->handle(1, ['action' => 'mount_add', 'mount' => 'live']), 'Icecast: a mount without a leading / is refused');
$refused(fn () => $icecast->handle(1, ['action' => ['mount_add'], 'mount' => '/live']), 'Icecast: an array field is refused');
$refused(fn () => $liquidsoap->handle(1, ['type' => 'service.stop']), 'Liquidsoap: a type outside DJ/AutoDJ is refused');
$refused(fn () => $liquidsoap->handle(1, ['type' => 'dj.connect']), 'Liquidsoap: a DJ event without djName is refused');
$refused(fn () => $liquidsoap->handle(1, ['type' => 'autodj.on_air', 'trigger' => 'manual']), 'Liquidsoap: an unknown AutoDJ trigger is refused');
$t->check($t->events($store) === [], 'refused hook calls stored nothing');

$id = $icecast->handle(5, ['action' => 'mount_add', 'mount' => '/live', 'server' => 'h', 'port' => '99999', 'ip' => 'not-an-ip']);
$e = $t->events($store)[0];
$t->check($e['id'] === $id && $e['type'] === 'mount.connect' && !isset($e['details']['port']) && $e['sourceIp'] === null,
    'Icecast: an out-of-range port and a non-IP are left out, the event is kept', json_encode($e));

$now = (int) floor(microtime(true) * 1000) - 3_600_000; // an hour ago: the bridge judges skew against $now, the library against its clock
$liquidsoap->handle(6, ['type' => 'dj.connect', 'djName' => 'al', 'sourceIp' => '2001:db8::1', 'time' => (string) ($now - 5000)], $now);
$liquidsoap->handle(6, ['type' => 'dj.disconnect', 'djName' => 'al', 'time' => '12'], $now);
$got = $t->events($store, ['serviceId' => 6]);
$t->check(array_column($got, 'timestamp') === [$now - 5000, $now] && $got[0]['sourceIp'] === '2001:db8::1',
    "Liquidsoap: the event keeps Liquidsoap's time unless it is more than 10 minutes off", json_encode($got));
exit($t->summary());
