<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Under php-cgi (not the CLI) with php.ini.example's lines, FFI is limited to
 * preloaded code (ffi.enable=preload, FPM's default): the preloaded wrapper
 * works, a script's own FFI::cdef() is refused.
 */
final class PreloadTest extends TestCase
{
    /** @return array{int, string} exit code and output (headers suppressed) */
    private static function cgi(string $code, array $env): array
    {
        $dir = Fixture::tempDir();
        file_put_contents("$dir/probe.php", $code);
        $cmd = ['php-cgi', '-c', PreloadIni::write(), '-q', "$dir/probe.php"];
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $dir, $env + getenv());
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        return [proc_close($proc), $out];
    }

    public function testThePreloadedWrapperLogsAndQueriesUnderCgi(): void
    {
        $store = Fixture::newStore();
        // No autoloader: the classes must come from the preload.
        [$exit, $out] = self::cgi(<<<'PHP'
            <?php
            use StreamEvents\{Actor, EventLog, Events, Principal, ServiceAction};
            $log = EventLog::open(getenv('PROBE_STORE'));
            $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada']], []);
            $id = (new Events($log))->serviceAction(ServiceAction::Restart, 42, Actor::user(7, 'alice'));
            $page = $log->query(Principal::admin(1), ['serviceId' => 42]);
            echo json_encode(['sapi' => PHP_SAPI, 'ffi' => ini_get('ffi.enable'), 'preloaded' => (new ReflectionClass(EventLog::class))->getFileName(),
                'id' => $id, 'total' => $page['total'], 'type' => $page['logs'][0]['type'], 'actor' => $page['logs'][0]['actor']['name']]);
            PHP, ['PROBE_STORE' => $store, 'STREAM_EVENTS_LIB' => Fixture::library()]);
        self::assertSame(0, $exit, $out);
        $result = json_decode($out, true, 512, JSON_THROW_ON_ERROR);
        self::assertSame('cgi-fcgi', $result['sapi']);
        self::assertSame('preload', $result['ffi']);
        self::assertSame(1, $result['total']);
        self::assertSame(['service.restart', 'alice'], [$result['type'], $result['actor']]);
        if (!Fixture::onMariaDb()) {
            self::assertFileExists($store);
        }
    }

    public function testFfiOutsideThePreloadIsRefusedUnderTheSameIni(): void
    {
        [$exit, $out] = self::cgi(Fixture::FFI_OUTSIDE_PRELOAD, []);
        self::assertSame(0, $exit, $out);
        self::assertStringStartsWith('refused: ', $out);
        self::assertStringContainsString('ffi.enable', $out);
    }
}
