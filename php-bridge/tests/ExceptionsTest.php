<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Exception\AccessDenied;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\IncompatibleStore;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Exception\InvalidEvent;
use StreamEvents\Exception\LibraryError;
use StreamEvents\Exception\NotFound;
use StreamEvents\Exception\StorageError;
use StreamEvents\Exception\StoreBusy;
use StreamEvents\Principal;

/** Each failure of the library arrives as its own exception, with the library's message. */
final class ExceptionsTest extends TestCase
{
    /** @return array{0: class-string, 1: int, 2: string} */
    private static function failure(callable $call): array
    {
        try {
            $call();
        } catch (EventLogException $e) {
            return [$e::class, $e->getCode(), $e->getMessage()];
        }
        self::fail('expected an EventLogException');
    }

    public function testUnknownEventTypeIsInvalidEventNamingTheType(): void
    {
        $log = Fixture::openStore();
        [$class, $code, $message] = self::failure(fn () => $log->log(['type' => 'dj.conect', 'serviceId' => 42, 'djName' => 'A']));
        self::assertSame(InvalidEvent::class, $class);
        self::assertSame(EventLogException::EL_EINVAL, $code);
        self::assertStringContainsString('dj.conect', $message);
        self::assertSame(0, $log->query(Principal::admin(1))['total'], 'nothing stored');
    }

    public function testMissingRequiredAttributeAndUnknownFieldAreInvalidEvents(): void
    {
        $log = Fixture::openStore();
        [$class, , $message] = self::failure(fn () => $log->log(['type' => 'mount.connect', 'serviceId' => 42]));
        self::assertSame(InvalidEvent::class, $class);
        self::assertStringContainsString('details.mount', $message);
        [$class, , $message] = self::failure(fn () => $log->log(['type' => 'dj.connect', 'serviceId' => 42, 'djName' => 'A', 'djname' => 'B']));
        self::assertSame(InvalidEvent::class, $class);
        self::assertStringContainsString('djname', $message);
    }

    public function testAnEventPhpCannotEncodeIsInvalidEventBeforeAnyCall(): void
    {
        $log = Fixture::openStore();
        [$class, $code, $message] = self::failure(fn () => $log->log(['type' => 'dj.connect', 'serviceId' => 42, 'djName' => "\xff\xfe"]));
        self::assertSame(InvalidEvent::class, $class);
        self::assertSame(0, $code, 'PHP-side failure: no library status');
        self::assertStringContainsString('UTF-8', $message);
    }

    public function testBatchIsAllOrNothingAndNamesTheBadIndex(): void
    {
        $log = Fixture::openStore();
        $events = Fixture::events();
        $events[5]['type'] = 'service.bogus';
        [$class, $code, $message] = self::failure(fn () => $log->logBatch($events));
        self::assertSame(InvalidEvent::class, $class);
        self::assertSame(EventLogException::EL_EINVAL, $code);
        self::assertStringContainsString('5', $message);
        self::assertSame(0, $log->query(Principal::admin(1))['total']);
    }

    public function testBadFilterOrDirectoryIsInvalidArgumentNotInvalidEvent(): void
    {
        $log = Fixture::seededStore();
        [$class, $code] = self::failure(fn () => $log->query(Principal::admin(1), ['perPage' => 100000]));
        self::assertSame(InvalidArgument::class, $class);
        self::assertSame(EventLogException::EL_EINVAL, $code);
        [$class, , $message] = self::failure(fn () => $log->query(Principal::admin(1), ['serviceID' => 42]));
        self::assertSame(InvalidArgument::class, $class);
        self::assertStringContainsString('serviceID', $message);
        [$class] = self::failure(fn () => $log->putDirectory([['id' => 9, 'role' => 'owner', 'name' => 'x']], []));
        self::assertSame(InvalidArgument::class, $class);
        [$class] = self::failure(fn () => $log->export(Principal::admin(1), [], 'xml'));
        self::assertSame(InvalidArgument::class, $class);
        [$class] = self::failure(fn () => EventLog::open(Fixture::newStore(), ['retentionDays' => 0], Fixture::library()));
        self::assertSame(InvalidArgument::class, $class);
    }

    public function testAnotherCustomersServiceIsAccessDenied(): void
    {
        $log = Fixture::seededStore();
        [$class, $code] = self::failure(fn () => $log->query(Principal::customer(4), ['serviceId' => 43]));
        self::assertSame(AccessDenied::class, $class);
        self::assertSame(EventLogException::EL_EDENIED, $code);
        [$class] = self::failure(fn () => $log->export(Principal::reseller(3), ['serviceId' => 42], 'csv'));
        self::assertSame(AccessDenied::class, $class, 'export is refused when opened, before any chunk');
    }

    public function testUnknownServiceIsNotFound(): void
    {
        $log = Fixture::seededStore();
        [$class, $code, $message] = self::failure(fn () => $log->query(Principal::admin(1), ['serviceId' => 999]));
        self::assertSame(NotFound::class, $class);
        self::assertSame(EventLogException::EL_ENOTFOUND, $code);
        self::assertStringContainsString('999', $message);
    }

    /**
     * A store of one event, then edited by hand: $mariaDbSql or $sqliteSql
     * runs on it. Returns its path and a function giving its state, to
     * check that a refusal left it as it was.
     *
     * @return array{string, \Closure(): mixed}
     */
    private static function editedStore(string $mariaDbSql, string $sqliteSql): array
    {
        $path = Fixture::newStore();
        $seed = EventLog::open($path, [], Fixture::library());
        $seed->log(['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup']]);
        $seed->close();
        if (Fixture::onMariaDb()) {
            $database = Fixture::databaseOf($path);
            Fixture::sql($mariaDbSql, $database);
            return [$path, static fn (): array => Fixture::sql('CHECKSUM TABLE ' . implode(', ', array_column(Fixture::sql('SHOW TABLES', $database), 0)) . ' EXTENDED', $database)];
        }
        $pdo = new \PDO("sqlite:$path");
        $pdo->exec($sqliteSql);
        $pdo = null;
        return [$path, static fn (): string => hash_file('sha256', $path)];
    }

    public function testAStoreFromANewerVersionIsRefusedAndLeftUntouched(): void
    {
        [$path, $state] = self::editedStore("UPDATE setting SET v = 999 WHERE k = 'schemaVersion'", 'PRAGMA user_version = 999');
        $before = $state();

        [$class, $code, $message] = self::failure(fn () => EventLog::open($path, [], Fixture::library()));
        self::assertSame(IncompatibleStore::class, $class);
        self::assertInstanceOf(StorageError::class, new $class('', 0));
        self::assertSame(EventLogException::EL_ESCHEMA, $code);
        self::assertNotSame('', $message);
        self::assertSame($before, $state());
    }

    /**
     * The library stores only windows of 1 to 3,650 days; a window edited
     * by hand to 2^63-1 days trapped the library at the first date it
     * computed. Now the store is refused at open, on both engines, saying
     * what to mend, and left as it was.
     */
    public function testAStoreWithAnEditedRetentionWindowIsRefusedAndLeftUntouched(): void
    {
        [$path, $state] = self::editedStore("UPDATE setting SET v = 9223372036854775807 WHERE k = 'retentionDays'",
            "UPDATE setting SET value = 9223372036854775807 WHERE key = 'retentionDays'");
        $before = $state();

        [$class, $code, $message] = self::failure(fn () => EventLog::open($path, [], Fixture::library()));
        self::assertSame(IncompatibleStore::class, $class);
        self::assertSame(EventLogException::EL_ESCHEMA, $code);
        self::assertStringContainsString('retentionDays setting of 9223372036854775807, not a number of days from 1 to 3650', $message);
        $password = Fixture::onMariaDb() ? rawurldecode((string) parse_url(Fixture::mariaDbBase(), PHP_URL_PASS)) : '';
        if ($password !== '') {
            self::assertStringNotContainsString($password, $message, 'the store is named without its password');
        }
        self::assertSame($before, $state());
    }

    /** A pruning mark edited far past any event's time made the next page's period arithmetic trap (found in review, 5 Dec). */
    public function testADatabaseWithAnEditedPruningMarkRefusesReadsSayingSo(): void
    {
        Fixture::mariaDbOnly('the pruning mark is a setting of the MariaDB engine');
        [$path] = self::editedStore("UPDATE setting SET v = 9223372036854775807 WHERE k = 'prunedBefore'", '');
        $log = EventLog::open($path, [], Fixture::library());
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada Admin']], []);
        foreach ([fn () => $log->query(Principal::admin(1)), fn () => iterator_to_array($log->export(Principal::admin(1), [], 'csv'))] as $read) {
            [$class, $code, $message] = self::failure($read);
            self::assertSame(EventLogException::EL_ESCHEMA, $code, $message);
            self::assertStringContainsString('prunedBefore setting of 9223372036854775807', $message);
        }
        $log->close();
    }

    public function testAFileThatIsNotAnEventStoreIsRefused(): void
    {
        if (Fixture::onMariaDb()) {
            // A database of the panel's own (or another application's) is not the log's to take.
            $path = Fixture::newStore();
            $database = Fixture::databaseOf($path);
            Fixture::sql("CREATE DATABASE `$database`; CREATE TABLE `$database`.notes (body TEXT)");
        } else {
            $path = Fixture::tempDir() . '/notes.sqlite';
            $pdo = new \PDO("sqlite:$path");
            $pdo->exec('CREATE TABLE notes (body TEXT)');
            $pdo = null;
        }
        [$class, $code] = self::failure(fn () => EventLog::open($path, [], Fixture::library()));
        self::assertSame(IncompatibleStore::class, $class);
        self::assertSame(EventLogException::EL_ESCHEMA, $code);
        if (Fixture::onMariaDb()) {
            self::assertSame([['notes']], Fixture::sql('SHOW TABLES', $database), 'nothing added to it');
        }
    }

    public function testAMissingDirectoryOrLibraryFailsWithAMessage(): void
    {
        if (!Fixture::onMariaDb()) {
            [$class, , $message] = self::failure(fn () => EventLog::open('/nonexistent-dir/e.sqlite', [], Fixture::library()));
            self::assertSame(StorageError::class, $class);
            self::assertStringContainsString('/nonexistent-dir', $message);
        }
        [$class, , $message] = self::failure(fn () => EventLog::open(Fixture::newStore(), [], '/nonexistent/libeventlog.so'));
        self::assertSame(LibraryError::class, $class);
        self::assertStringContainsString('/nonexistent/libeventlog.so', $message);
    }

    /** FFI's default, ffi.enable=preload, refuses php -S: the error a developer sees says how to start it. */
    public function testFfiRefusedSaysHowToEnableIt(): void
    {
        $server = new PhpServer(dirname(__DIR__) . '/public/index.php', ['STREAM_EVENTS_LIB' => Fixture::library()], bare: true);
        try {
            $r = $server->get('/stream-events');
            self::assertSame(503, $r['status']);
            self::assertStringContainsString('start php -S with -d ffi.enable=1', $server->log());
        } finally {
            $server->stop();
        }
        exec(sprintf('%s -d ffi.enable=0 -r %s 2>&1', escapeshellarg(PHP_BINARY), escapeshellarg(
            'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . '; try { StreamEvents\EventLog::catalog('
            . var_export(Fixture::library(), true) . '); } catch (StreamEvents\Exception\LibraryError $e) { echo $e->getMessage(); }')), $out);
        self::assertStringContainsString('ffi.enable is "0" here: run php with -d ffi.enable=1.', implode("\n", $out));
    }

    /** A store another user created (root's cron job): the I/O error names the user PHP runs as and what it cannot write. */
    public function testAStoreFolderThisUserCannotWriteIsAnIoErrorNamingTheUser(): void
    {
        Fixture::sqliteOnly('file and folder modes (a database user\'s rights are the server\'s)');
        $dir = Fixture::tempDir();
        chmod($dir, 0755);
        EventLog::open("$dir/events.sqlite", [], Fixture::library())->close(); // created by this user
        $code = 'require ' . var_export(dirname(__DIR__) . '/autoload.php', true) . ';'
            . ' try { StreamEvents\EventLog::open($argv[1], [], $argv[2])->log(["type" => "autodj.on_air", "serviceId" => 42, "details" => ["trigger" => "startup"]]); }'
            . ' catch (StreamEvents\Exception\StorageError $e) { echo $e->getCode(), " ", $e->getMessage(); }';
        if (posix_geteuid() === 0) {
            // root writes anywhere: the panel's case is another user, as FPM's www-data is.
            $command = ['runuser', '-u', 'nobody', '--'];
            exec(implode(' ', array_map('escapeshellarg', [...$command, 'test', '-r', Fixture::library(), '-a', '-r', dirname(__DIR__) . '/autoload.php'])) . ' 2>&1', $o, $status);
            if ($status !== 0) {
                self::markTestSkipped('needs runuser, and the bridge and library readable by nobody, to try the store as another user than root');
            }
            $user = 'nobody';
        } else {
            chmod($dir, 0555);
            $command = [];
            $user = posix_getpwuid(posix_geteuid())['name'];
        }
        exec(implode(' ', array_map('escapeshellarg', [...$command, PHP_BINARY, '-d', 'ffi.enable=1', '-r', $code, "$dir/events.sqlite", Fixture::library()])) . ' 2>&1', $out);
        chmod($dir, 0700);
        $message = implode("\n", $out);
        self::assertStringStartsWith(EventLogException::EL_EIO . ' ', $message);
        self::assertStringContainsString("PHP runs as $user, who cannot write $dir: the store and its folder must be writable by the PHP-FPM pool's user", $message);
    }

    public function testAnUnreadableStoreIsAnIoError(): void
    {
        Fixture::sqliteOnly('a directory where the store file should be');
        $dir = Fixture::tempDir();
        mkdir("$dir/store.sqlite"); // a directory where the file should be
        [$class, $code] = self::failure(fn () => EventLog::open("$dir/store.sqlite", [], Fixture::library()));
        self::assertSame(StorageError::class, $class);
        self::assertSame(EventLogException::EL_EIO, $code);
    }

    public function testAWriterHoldingTheLockPastTheTimeoutIsStoreBusy(): void
    {
        $path = Fixture::newStore();
        $log = EventLog::open($path, ['busyTimeoutMs' => Fixture::onMariaDb() ? 1000 : 50], Fixture::library()); // MariaDB: whole seconds
        $log->putDirectory(Fixture::directory()['accounts'], []);
        $event = ['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup']];
        $log->log($event);
        $release = self::holdWriteLock($path); // another process's write transaction
        try {
            [$class, $code] = self::failure(fn () => $log->log($event));
            self::assertSame(StoreBusy::class, $class);
            self::assertSame(EventLogException::EL_EBUSY, $code);
            self::assertSame(1, $log->query(Principal::admin(1))['total'], 'readers are not blocked by the writer');
        } finally {
            $release();
        }
        self::assertGreaterThan(0, $log->log($event), 'usable again once the lock is gone');
    }

    /** Takes the lock a writer needs, in another connection; returns what releases it. */
    private static function holdWriteLock(string $store): \Closure
    {
        if (!Fixture::onMariaDb()) {
            $other = new \PDO("sqlite:$store");
            $other->exec('BEGIN IMMEDIATE');
            return static function () use ($other): void {
                $other->exec('ROLLBACK');
            };
        }
        // Every event row and the gap after the last one (where the next id goes).
        return Fixture::holdLock(Fixture::databaseOf($store), 'SELECT COUNT(*) FROM event FOR UPDATE');
    }
}
