<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\StorageError;
use StreamEvents\Hook\HookSecret;

/**
 * A store named by a database URI (mysql://user:password@host:port/database):
 * the password never appears in a message, a trace, a page or the server's
 * log, and the hooks' key has a place of its own.
 */
final class StoreUriTest extends TestCase
{
    private const PASSWORD = 'Pa55-never-shown';

    /** @return iterable<string, array{string, string}> */
    public static function locations(): iterable
    {
        yield 'TCP' => ['mysql://se:' . self::PASSWORD . '@127.0.0.1:3306/events', 'mysql://se@127.0.0.1:3306/events'];
        yield 'socket' => ['mysql://se:' . self::PASSWORD . '@localhost/events?socket=/run/mysqld/mysqld.sock',
            'mysql://se@localhost/events?socket=/run/mysqld/mysqld.sock'];
        yield 'unencoded @ and / in the password' => ['mysql://se:p@ss/w:rd@db.example:3307/events', 'mysql://se@db.example:3307/events'];
        yield 'encoded user' => ['mysql://pan%40el:x@h/d', 'mysql://pan%40el@h/d'];
        yield 'mariadb scheme' => ['mariadb://se:' . self::PASSWORD . '@h/d', 'mariadb://se@h/d'];
        yield 'no password' => ['mysql://se@h/d', 'mysql://se@h/d'];
        yield 'a file' => ['/var/lib/stream-events/events.sqlite', '/var/lib/stream-events/events.sqlite'];
        yield 'a file with @' => ['/srv/a:b@c/events.sqlite', '/srv/a:b@c/events.sqlite'];
    }

    /** @dataProvider locations */
    public function testMessagesNameAStoreWithoutItsPassword(string $location, string $shown): void
    {
        self::assertSame($shown, EventLog::redact($location));
        self::assertSame(str_contains($location, '://'), EventLog::isUri($location));
    }

    /** Spellings a panel's configuration may hold by mistake: the password stays out of every message. */
    public function testMistypedUrisNeverShowThePassword(): void
    {
        $port = PhpServer::freePort();
        $secret = 'Pa55?never/shown';
        $cases = [
            "MySQL://se:$secret@127.0.0.1:$port/events" => EventLogException::EL_EIO,  // the scheme in any case: a server that is not there
            "mysql://se:$secret@127.0.0.1:$port/events?socket=/nowhere.sock" => EventLogException::EL_EIO,  // a bare ? in the password
            "mysql:/se:$secret@127.0.0.1:$port/events" => EventLogException::EL_EINVAL,  // one slash: not a URI, not a file either
            "mysql:se:$secret@127.0.0.1/events" => EventLogException::EL_EINVAL,
            // No scheme, or no colon after it: a file path whose folder does not exist.
            "mysql//se:$secret@127.0.0.1:$port/events" => EventLogException::EL_EIO,
            "se:$secret@127.0.0.1/events" => EventLogException::EL_EIO,
        ];
        foreach ($cases as $store => $code) {
            try {
                EventLog::open($store, ['connectTimeoutMs' => 2000], Fixture::library());
                self::fail("opened $store");
            } catch (EventLogException $e) {
                self::assertSame($code, $e->getCode(), $e->getMessage());
                foreach (['Pa55', 'never', 'shown'] as $piece) {
                    self::assertStringNotContainsString($piece, $e->getMessage() . $e->libraryMessage(), EventLog::redact($store));
                }
            }
        }
        self::assertSame('mysql:/se@127.0.0.1:1/events', EventLog::redact("mysql:/se:$secret@127.0.0.1:1/events"));
        self::assertSame('mysql:/se@127.0.0.1:1/events', EventLog::shown("mysql:/se:$secret@127.0.0.1:1/events"));
        self::assertSame('…@127.0.0.1:1/events', EventLog::shown("mysql//se:$secret@127.0.0.1:1/events"));
        self::assertSame('mysql://se@h/d', EventLog::shown("mysql://se:$secret@h/d"));
        self::assertSame('/var/lib/stream-events/events.sqlite', EventLog::shown('/var/lib/stream-events/events.sqlite'));
    }

    public function testAMistypedUriWhoseFolderExistsIsNamedWithoutItsPasswordByTheLibraryToo(): void
    {
        // mysql//se:Pa55word@db.example/events is a file path; here its folder exists and
        // "events" is no SQLite file, so the library itself refuses it and names it.
        $root = sys_get_temp_dir() . '/se-uri-' . bin2hex(random_bytes(4));
        mkdir("$root/mysql/se:Pa55word@db.example", 0700, true);
        file_put_contents("$root/mysql/se:Pa55word@db.example/events", str_repeat('not a database ', 100));
        try {
            EventLog::open("$root/mysql//se:Pa55word@db.example/events", [], Fixture::library());
            self::fail('opened a file that is no store');
        } catch (EventLogException $e) {
            self::assertStringContainsString('…@db.example/events', $e->libraryMessage());
            self::assertStringNotContainsString('Pa55word', $e->getMessage() . $e->libraryMessage());
        } finally {
            unlink("$root/mysql/se:Pa55word@db.example/events");
            rmdir("$root/mysql/se:Pa55word@db.example");
            rmdir("$root/mysql");
            rmdir($root);
        }
    }

    public function testAWrongPasswordOrNoServerFailsWithoutThePassword(): void
    {
        Fixture::mariaDbOnly('about a database server');
        $good = Fixture::newStore();
        $database = Fixture::databaseOf($good);
        $wrong = str_replace(':' . parse_url($good, PHP_URL_PASS) . '@', ':' . self::PASSWORD . '@', $good);
        $nobody = 'mysql://se:' . self::PASSWORD . '@127.0.0.1:' . PhpServer::freePort() . "/$database";
        // Traces with their arguments, as a development php.ini shows them.
        $ini = [ini_set('zend.exception_ignore_args', '0'), ini_set('zend.exception_string_param_max_len', '1000')];
        try {
            foreach ([$wrong, $nobody] as $store) {
                try {
                    EventLog::open($store, ['connectTimeoutMs' => 2000], Fixture::library());
                    self::fail('opened with a wrong password or without a server');
                } catch (StorageError $e) {
                    self::assertSame(EventLogException::EL_EIO, $e->getCode());
                    self::assertStringContainsString('el_open("' . EventLog::redact($store) . '")', $e->getMessage());
                    self::assertStringContainsString(EventLog::redact($store), $e->libraryMessage(), 'the library names it alike');
                    $bridgeFrames = array_filter($e->getTrace(), static fn (array $f): bool => str_starts_with($f['class'] ?? '', 'StreamEvents\\')
                        && !str_starts_with($f['class'], 'StreamEvents\\Tests\\'));
                    self::assertNotEmpty($bridgeFrames);
                    self::assertStringNotContainsString(self::PASSWORD, $e->getMessage() . $e->getTraceAsString() . print_r($bridgeFrames, true));
                }
            }
        } finally {
            ini_set('zend.exception_ignore_args', (string) $ini[0]);
            ini_set('zend.exception_string_param_max_len', (string) $ini[1]);
        }
        $log = EventLog::open($good, [], Fixture::library());
        self::assertSame(EventLog::redact($good), $log->path);
        self::assertStringNotContainsString((string) parse_url($good, PHP_URL_PASS), print_r($log, true) . var_export($log, true));
        $log->close();
        try {
            $log->cursor();
            self::fail('a closed store must refuse calls');
        } catch (StorageError $e) {
            self::assertSame('The event store ' . EventLog::redact($good) . ' has been closed.', $e->getMessage());
        }
    }

    public function testThePagesAndTheServerLogNeverShowThePassword(): void
    {
        Fixture::mariaDbOnly('about a database server');
        $good = Fixture::newStore();
        $wrong = str_replace(':' . parse_url($good, PHP_URL_PASS) . '@', ':' . self::PASSWORD . '@', $good);
        $server = new PhpServer(dirname(__DIR__) . '/public/index.php', ['STREAM_EVENTS_DB' => $wrong, 'STREAM_EVENTS_DEMO' => '1',
            'STREAM_EVENTS_HOOK_KEY_FILE' => Fixture::tempDir() . '/hook.key']);
        try {
            $seen = '';
            foreach (['/controller/EventLog' => 503, '/controller/EventLog/42?format=csv' => 503, '/stream-events' => 200, '/services/42/stream-events' => 200] as $path => $status) {
                $r = $server->get($path, 'demo-admin');
                self::assertSame($status, $r['status'], $path); // the pages load their rows from the API
                $seen .= implode("\n", $r['headers']) . $r['body'];
            }
            $seen .= $server->get('/hooks/icecast/42/' . str_repeat('0', 64), null, 'POST')['body'];
            $log = $server->log();
            self::assertStringContainsString(EventLog::redact($wrong), $log, 'the cause is logged, naming the store');
            self::assertStringContainsString('Access denied', $log);
            self::assertStringNotContainsString(self::PASSWORD, $seen . $log);
        } finally {
            $server->stop();
        }
    }

    public function testTheHookKeyOfADatabaseStoreIsNamedOrKeptWithTheHooksState(): void
    {
        $env = ['STREAM_EVENTS_HOOK_KEY_FILE', 'STREAM_EVENTS_HOOK_STATE', 'STREAM_EVENTS_HOOK_KEY'];
        $saved = array_map(static fn (string $name) => getenv($name), array_combine($env, $env));
        $uri = 'mysql://se:' . self::PASSWORD . '@127.0.0.1:3306/events';
        try {
            foreach ($env as $name) {
                putenv($name);
            }
            self::assertSame('/var/lib/stream-events/' . HookSecret::KEY_FILE, HookSecret::keyFile('/var/lib/stream-events/events.sqlite'));
            try {
                HookSecret::keyFile($uri);
                self::fail('a database store has no folder to keep the key in');
            } catch (\RuntimeException $e) {
                self::assertStringContainsString('STREAM_EVENTS_HOOK_KEY_FILE', $e->getMessage());
                self::assertStringNotContainsString(self::PASSWORD, $e->getMessage());
            }
            $state = Fixture::tempDir() . '/hooks';
            putenv("STREAM_EVENTS_HOOK_STATE=$state");
            self::assertSame("$state/" . HookSecret::KEY_FILE, HookSecret::keyFile($uri));
            $secret = HookSecret::forStore($uri)->forService(42);
            self::assertSame(0o600, fileperms("$state/" . HookSecret::KEY_FILE) & 0o777, 'created on first use, for the web server\'s user only');
            self::assertSame($secret, HookSecret::forStore($uri)->forService(42), 'the same key every time');

            $file = Fixture::tempDir() . '/panel-hook.key';
            putenv("STREAM_EVENTS_HOOK_KEY_FILE=$file");
            self::assertSame($file, HookSecret::keyFile($uri));
            self::assertSame($file, HookSecret::keyFile('/var/lib/stream-events/events.sqlite'), 'named, it serves a file store too');
            self::assertNotSame($secret, HookSecret::forStore($uri)->forService(42), 'another key file, another key');
            self::assertFileExists($file);
        } finally {
            foreach ($saved as $name => $value) {
                putenv($value === false ? $name : "$name=$value");
            }
        }
    }
}
