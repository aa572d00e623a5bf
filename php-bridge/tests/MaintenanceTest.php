<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Principal;

/** bin/stream-events-maintenance, run as cron would run it, and its copy from SQLite to MariaDB. */
final class MaintenanceTest extends TestCase
{
    /**
     * @param array<string,string> $env added to the environment
     * @return array{int, string, string} exit code, stdout, stderr
     */
    private static function maintenance(array $args, array $env = []): array
    {
        $proc = self::start($args, $env);
        $out = stream_get_contents($proc['pipes'][1]);
        $err = stream_get_contents($proc['pipes'][2]);
        return [proc_close($proc['process']), $out, $err];
    }

    /** @return array{process: resource, pipes: array<int, resource>} the command, running */
    private static function start(array $args, array $env = []): array
    {
        $cmd = array_merge([dirname(__DIR__) . '/bin/stream-events-maintenance'], $args);
        $process = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env + ['STREAM_EVENTS_LIB' => Fixture::library()] + getenv());
        return ['process' => $process, 'pipes' => $pipes];
    }

    public function testPrunesOldEventsAndSaysHowMany(): void
    {
        $path = Fixture::newStore();
        $shown = EventLog::redact($path);
        $log = EventLog::open($path, ['retentionDays' => 30], Fixture::library());
        $now = intdiv((int) (microtime(true) * 1000), 1000) * 1000;
        $day = 86_400_000;
        $old = static fn (int $days) => ['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup'], 'time' => $now - $days * $day];
        $log->logBatch([$old(29), $old(20), $old(10), $old(1)]);
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada', 'resellerId' => null]], []);
        $later = $now + 15 * $day;

        [$exit, $out, $err] = self::maintenance(['--db', $path, '--now', (string) $later]);
        self::assertSame(0, $exit, $err);
        self::assertSame("Pruned 2 events from $shown.\n", $out);
        self::assertSame(2, $log->query(Principal::admin(1))['total']);

        // The window is the store's: a worker opening with other options does not change it, the command does.
        EventLog::open($path, ['retentionDays' => 1], Fixture::library());
        [$exit, $out] = self::maintenance(['--db', $path, '--now', (string) $later]);
        self::assertSame("Pruned 0 events from $shown.\n", $out);
        [$exit, $out] = self::maintenance(['--db', $path, '--retention-days', '7', '--now', (string) $now]);
        self::assertSame(0, $exit);
        self::assertSame("Retention window of $shown set to 7 days.\nPruned 1 event from $shown.\n", $out);
    }

    /**
     * A new store with a 30-day window, an admin, and an event at noon (UTC) each given number of
     * days ago: [store, its database, a day in ms, noon today in ms].
     *
     * @param list<int> $daysAgo
     * @return array{string, string, int, int}
     */
    private static function storeWithEventsDaysAgo(array $daysAgo): array
    {
        $store = Fixture::newStore();
        $day = 86_400_000;
        $now = intdiv((int) (microtime(true) * 1000), $day) * $day + 12 * 3_600_000;
        $log = EventLog::open($store, ['retentionDays' => 30], Fixture::library());
        $log->logBatch(array_map(static fn (int $ago) => ['type' => 'autodj.on_air', 'serviceId' => 42,
            'details' => ['trigger' => 'startup'], 'time' => $now - $ago * $day], $daysAgo));
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada', 'resellerId' => null]], []);
        $log->close();
        return [$store, Fixture::databaseOf($store), $day, $now];
    }

    /**
     * MariaDB 10.11 sleeps a whole second inside a partition drop whenever InnoDB's purge is
     * busy (after a large write anywhere on the server), holding the event table: every el_log
     * waits. The prune stops purge first (FLUSH TABLES ... FOR EXPORT, which needs RELOAD) and
     * starts it again after; without RELOAD, as the panel's own user usually is, it prunes all the same.
     */
    public function testAPruneStopsInnoDbsPurgeWhileItDropsDaysAndStartsItAgain(): void
    {
        Fixture::mariaDbOnly('about InnoDB');
        [$store, $database, $day, $now] = self::storeWithEventsDaysAgo([29, 25, 20, 2]);
        $errorLog = Fixture::sql('SELECT @@log_error')[0][0];
        // The oldest and the newest day partition, as dates.
        $days = static fn (): array => Fixture::sql("SELECT MIN(partition_name), MAX(partition_name) FROM information_schema.partitions
            WHERE table_schema = '$database' AND table_name = 'event' AND partition_name <> 'pfuture'")[0];
        $dayOf = static fn (int $offsetDays): string => 'p' . gmdate('Ymd', intdiv($now + $offsetDays * $day, 1000));
        $serverLogSince = static function (int $offset) use ($errorLog): string {
            clearstatcache();
            return (string) file_get_contents($errorLog, false, null, $offset);
        };
        $purgeState = static function (): string {
            $status = Fixture::sql('SHOW ENGINE INNODB STATUS')[0][2];
            self::assertSame(1, preg_match("/Purge done for trx's n:o < \\d+ undo n:o < \\d+ state: ([a-z ]+)/", $status, $m), $status);
            return $m[1];
        };
        clearstatcache();
        $offset = filesize($errorLog);
        self::assertSame([$dayOf(-30), $dayOf(7)], $days(), 'a new store: the window, and a week ahead');

        [$exit, $out, $err] = self::maintenance(['--db', $store, '--now', (string) ($now + 10 * $day)]);
        self::assertSame(0, $exit, $err);
        self::assertSame('Pruned 2 events from ' . EventLog::redact($store) . ".\n", $out);
        $said = $serverLogSince($offset);
        $stopped = substr_count($said, 'InnoDB: Stopping purge');
        self::assertGreaterThanOrEqual(1, $stopped, "the server stopped purge for the drop:\n$said");
        self::assertSame($stopped, substr_count($said, 'InnoDB: Resuming purge'), 'and started it again each time');
        self::assertStringContainsString("Sync to disk of `$database`.`event_type` started", $said, 'through the catalog table, which only a migration writes');
        self::assertNotSame('stopped', $purgeState());
        $datadir = Fixture::sql('SELECT @@datadir')[0][0];
        self::assertFileDoesNotExist("$datadir/$database/event_type.cfg", 'the export\'s metadata file is gone with the pause');
        self::assertSame([$dayOf(-20), $dayOf(17)], $days(), 'the days out of the window dropped, the days ahead added');

        // A user with every privilege on the store's database and none beyond it (no RELOAD).
        $user = 'se_prune_' . getmypid();
        Fixture::sql("CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY 'prune-pw'; GRANT ALL ON `$database`.* TO '$user'@'127.0.0.1'");
        try {
            $server = parse_url(Fixture::mariaDbBase());
            $limited = "mysql://$user:prune-pw@{$server['host']}:{$server['port']}/$database";
            clearstatcache();
            $offset = filesize($errorLog);
            [$exit, $out, $err] = self::maintenance(['--db', $limited, '--now', (string) ($now + 15 * $day)]);
            self::assertSame(0, $exit, $err);
            self::assertSame('Pruned 1 event from ' . EventLog::redact($limited) . ".\n", $out);
            self::assertStringNotContainsString('Stopping purge', $serverLogSince($offset), 'it could not stop purge');
            self::assertSame([$dayOf(-15), $dayOf(22)], $days(), 'and dropped the days all the same');
            self::assertSame(1, EventLog::open($store, [], Fixture::library())->query(Principal::admin(1))['total']);
        } finally {
            Fixture::sql("DROP USER '$user'@'127.0.0.1'");
        }
    }

    /**
     * A day's rows leave the event table by EXCHANGE PARTITION for a table of their own, which is
     * dropped after the emptied partition: the writers wait only for the exchange and the drop of
     * an empty partition, not while InnoDB lets go of the day. Nothing is left behind, not even
     * what a prune killed after its exchange left; a day that cannot be moved out (a view of that
     * name in the way) goes with its partition, as before.
     */
    public function testAPruneMovesExpiredDaysOutOfTheEventTableAndLeavesNothingBehind(): void
    {
        Fixture::mariaDbOnly('about MariaDB partitions');
        [$store, $database, $day, $now] = self::storeWithEventsDaysAgo([29, 28, 28, 25, 2]);
        $dayOf = static fn (int $offsetDays): string => 'p' . gmdate('Ymd', intdiv($now + $offsetDays * $day, 1000));
        $movedOut = static fn (): array => Fixture::sql("SHOW FULL TABLES LIKE 'event\\_expired\\_%'", $database);
        Fixture::sql("CREATE TABLE event_expired_p20000101 (id BIGINT) ENGINE = InnoDB", $database); // a killed prune's
        Fixture::sql("CREATE VIEW event_expired_{$dayOf(-28)} AS SELECT 1 AS x", $database);
        $statements = static fn (string $like): array => array_column(Fixture::sql("SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log
            WHERE CONVERT(argument USING utf8mb4) LIKE '$like'"), 0);
        Fixture::sql("TRUNCATE mysql.general_log; SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = 1");
        try {
            [$exit, $out, $err] = self::maintenance(['--db', $store, '--now', (string) ($now + 3 * $day)]);
            $exchanges = $statements('ALTER TABLE event EXCHANGE PARTITION %');
            $drops = $statements('ALTER TABLE event DROP PARTITION %');
        } finally {
            Fixture::sql("SET GLOBAL general_log = 0; SET GLOBAL log_output = 'FILE'; TRUNCATE mysql.general_log");
        }
        self::assertSame(0, $exit, $err);
        self::assertSame('Pruned 3 events from ' . EventLog::redact($store) . ".\n", $out, 'the days 29 and 28 days ago, 32 and 31 at the prune');
        $exchange = static fn (int $offset): string => "ALTER TABLE event EXCHANGE PARTITION {$dayOf($offset)} WITH TABLE event_expired_{$dayOf($offset)}";
        self::assertSame([$exchange(-30), $exchange(-29)], $exchanges, 'the days with no view in the way moved out (the first, empty, too)');
        self::assertCount(1, $drops);
        self::assertStringContainsString($dayOf(-28), $drops[0], 'the other dropped with its partition, rows and all');
        self::assertSame([["event_expired_{$dayOf(-28)}", 'VIEW']], $movedOut(), 'the moved-out tables dropped, the killed prune\'s too; a view is not touched');
        $admin = EventLog::open($store, [], Fixture::library());
        self::assertSame(2, $admin->query(Principal::admin(1))['total']);
        self::assertSame([], Fixture::sql("SELECT partition_name FROM information_schema.partitions WHERE table_schema = '$database'
            AND table_name = 'event' AND partition_name IN ('{$dayOf(-29)}', '{$dayOf(-28)}')"));
        Fixture::sql("DROP VIEW event_expired_{$dayOf(-28)}", $database);
    }

    /**
     * While a prune runs, writers leave the folding to it: a fold among the prune's deletes and its
     * partition drop held el_log past 100 ms. A writer asks for a fold once it has stored 512 events
     * and its fold thread runs it; el_close waits for a fold asked for, so what the thread did is
     * known once the handle is closed. The mark is a setting with an expiry, so a prune that dies
     * leaves folds running again a minute later, and one further ahead than a prune sets it is
     * ignored. The prune deletes old counters after it has hidden their days; counters a killed
     * prune left behind are read by nothing and deleted by the next prune (whatever its "now"),
     * whose count of pruned events leaves them out.
     */
    public function testWritersLeaveFoldingToARunningPruneAndOldCountersGoAfterTheirDays(): void
    {
        Fixture::mariaDbOnly('the fold is the MariaDB engine\'s');
        $store = Fixture::newStore();
        $database = Fixture::databaseOf($store);
        $day = 86_400_000;
        $now = intdiv((int) (microtime(true) * 1000), $day) * $day + 12 * 3_600_000;
        $event = static fn (int $t) => ['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup'], 'time' => $t];
        $uncounted = static fn (): int => (int) Fixture::sql('SELECT COUNT(*) FROM event WHERE counted = 0', $database)[0][0];
        $open = static fn (): EventLog => EventLog::open($store, ['retentionDays' => 30], Fixture::library());
        $logMany = static function (EventLog $log, int $n) use ($event, $now): void {
            for ($i = 0; $i < $n; $i++) {
                $log->log($event($now - $i));
            }
        };
        $log = $open();
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada', 'resellerId' => null]], []);

        $logMany($log, 511);
        self::assertSame(511, $uncounted(), 'no fold is asked for before 512 events');
        $logMany($log, 1);
        $log->close();
        self::assertSame(0, $uncounted(), 'a writer has its events folded once it has stored 512');
        self::assertSame([], Fixture::sql("SELECT v FROM setting WHERE k = 'pruneRunningUntil'", $database), 'no prune has run yet');

        Fixture::sql("INSERT INTO setting (k, v) VALUES ('pruneRunningUntil', UNIX_TIMESTAMP() + 60)", $database);
        $log = $open();
        $logMany($log, 600);
        $log->close();
        self::assertSame(600, $uncounted(), 'while a prune is marked running, no fold is done');
        $log = $open();
        self::assertSame(1112, $log->query(Principal::admin(1))['total']);

        Fixture::sql("UPDATE setting SET v = UNIX_TIMESTAMP() - 1 WHERE k = 'pruneRunningUntil'", $database);
        $logMany($log, 512);
        $log->close();
        self::assertSame(0, $uncounted(), 'a mark past its expiry holds nobody back: the fold takes the whole tail');

        Fixture::sql("UPDATE setting SET v = UNIX_TIMESTAMP() + 3600 WHERE k = 'pruneRunningUntil'", $database);
        $log = $open();
        $logMany($log, 600);
        $log->close();
        // The fold asked for at the 512th event took at least those; the 88 after it, maybe not.
        self::assertLessThanOrEqual(88, $uncounted(), 'nor does a mark further ahead than any prune sets one (a clock stepped back)');
        $log = $open();

        // Four old events, counted; a prune hides and deletes two days of them and clears its mark.
        $log->logBatch(array_map(static fn (int $daysAgo) => $event($now - $daysAgo * $day), [29, 25, 20, 2]));
        self::assertSame(2, $log->prune($now + 6 * $day));
        self::assertSame('0', Fixture::sql("SELECT v FROM setting WHERE k = 'pruneRunningUntil'", $database)[0][0]);
        $prunedBefore = (int) Fixture::sql("SELECT v FROM setting WHERE k = 'prunedBefore'", $database)[0][0];
        $below = static fn (): int => (int) Fixture::sql("SELECT (SELECT COUNT(*) FROM count_day WHERE ts < $prunedBefore)
            + (SELECT COUNT(*) FROM count_hour WHERE ts < $prunedBefore) + (SELECT COUNT(*) FROM count_service_type_day WHERE ts < $prunedBefore)
            + (SELECT COUNT(*) FROM count_service_category_day WHERE ts < $prunedBefore)", $database)[0][0];
        self::assertSame(0, $below(), 'the hidden days\' counters are gone');
        // What a prune killed between hiding and deleting leaves: counters of hidden days.
        $stale = $prunedBefore - 3 * $day;
        Fixture::sql("INSERT INTO count_day VALUES ($stale, 1, 1, 1000); INSERT INTO count_hour VALUES ($stale, 1, 1, 1000);
            INSERT INTO count_service_type_day VALUES (42, $stale, 1, 1, 1000);
            INSERT INTO count_service_category_day VALUES (42, 'service', $stale, 1000)", $database);
        self::assertSame(2226, $log->query(Principal::admin(1))['total'], 'no read sees them');
        self::assertSame(2226, $log->query(Principal::admin(1), ['serviceId' => 42, 'from' => $now - 40 * $day])['total'], 'per service neither');
        self::assertSame(2226, $log->query(Principal::admin(1), ['serviceId' => 42, 'from' => $now - 40 * $day, 'actor' => 'system'])['total'],
            'per service and type neither');
        self::assertSame(1, $log->prune($now + 12 * $day), 'the next prune counts the day it hides, not the stale counters');
        self::assertSame(0, $below());
        self::assertSame(2225, $log->query(Principal::admin(1))['total']);

        // A prune whose "now" is earlier (a host whose clock is behind) hides nothing, but deletes
        // all the same what a killed prune left below prunedBefore.
        $prunedBefore = (int) Fixture::sql("SELECT v FROM setting WHERE k = 'prunedBefore'", $database)[0][0];
        $stale = $prunedBefore - $day;
        Fixture::sql("INSERT INTO count_day VALUES ($stale, 1, 1, 1000); INSERT INTO count_service_type_day VALUES (42, $stale, 1, 1, 1000);
            INSERT INTO count_service_category_day VALUES (42, 'service', $stale, 1000)", $database);
        self::assertSame(0, $log->prune($now + 6 * $day));
        self::assertSame([['0']], Fixture::sql("SELECT (SELECT COUNT(*) FROM count_day WHERE ts < $prunedBefore)
            + (SELECT COUNT(*) FROM count_service_type_day WHERE ts < $prunedBefore)
            + (SELECT COUNT(*) FROM count_service_category_day WHERE ts < $prunedBefore)", $database), 'the stale counters are gone');
        self::assertSame(2225, $log->query(Principal::admin(1))['total']);
    }

    /**
     * One fold at a time on a server, by the row lock of the setting foldLock: a writer's fold
     * that finds it held leaves the tail to the fold holding it (the rows are read without locks
     * under it), a prune's fold waits for it. A row deleted by hand stops the writers' folds, not
     * the totals, until the next prune creates it again.
     */
    public function testAFoldSkipsWhileAnotherHoldsTheFoldLockAndAPruneWaitsForIt(): void
    {
        Fixture::mariaDbOnly('the fold is the MariaDB engine\'s');
        $store = Fixture::newStore();
        $database = Fixture::databaseOf($store);
        $now = (int) (microtime(true) * 1000);
        $uncounted = static fn (): int => (int) Fixture::sql('SELECT COUNT(*) FROM event WHERE counted = 0', $database)[0][0];
        $open = static fn (): EventLog => EventLog::open($store, [], Fixture::library());
        $logAndClose = static function (int $n) use ($open, $now): void {
            $log = $open();
            for ($i = 0; $i < $n; $i++) {
                $log->log(['type' => 'autodj.on_air', 'serviceId' => 42, 'details' => ['trigger' => 'startup'], 'time' => $now - $i]);
            }
            $log->close();  // waits for the fold it asked for
        };
        $log = $open();
        $log->putDirectory([['id' => 1, 'role' => 'admin', 'name' => 'Ada', 'resellerId' => null]], []);
        $log->close();

        // Another fold, as far as this server knows: it holds the lock for three seconds.
        $release = Fixture::holdLock($database, "SELECT v FROM setting WHERE k = 'foldLock' FOR UPDATE", 'DO SLEEP(3); COMMIT');
        try {
            $logAndClose(512);
            self::assertSame(512, $uncounted(), 'a writer\'s fold skips while the lock is held');
            $log = $open();
            self::assertSame(512, $log->query(Principal::admin(1))['total'], 'the total counts the tail');
            self::assertSame(0, $log->prune($now), 'nothing is old enough');
            self::assertSame(0, $uncounted(), 'the prune waited for the lock and folded the tail');
            self::assertSame(512, $log->query(Principal::admin(1))['total']);
            $log->close();
        } finally {
            $release();
        }

        Fixture::sql("DELETE FROM setting WHERE k = 'foldLock'", $database);
        $logAndClose(512);
        self::assertSame(512, $uncounted(), 'without the row no writer folds');
        $log = $open();
        self::assertSame(1024, $log->query(Principal::admin(1))['total']);
        $log->prune($now);
        self::assertSame([['0']], Fixture::sql("SELECT v FROM setting WHERE k = 'foldLock'", $database), 'the prune creates the row again');
        self::assertSame(0, $uncounted());
        $log->close();
        $logAndClose(512);
        self::assertSame(0, $uncounted(), 'and writers fold again');
    }

    public function testFailsWithAMessage(): void
    {
        [$exit, $out, $err] = self::maintenance(['--db', Fixture::tempDir() . '/missing.sqlite']);
        self::assertSame(1, $exit);
        self::assertSame('', $out);
        self::assertStringContainsString('no event store', $err);

        $notAStore = Fixture::tempDir() . '/notes.sqlite';
        (new \PDO("sqlite:$notAStore"))->exec('CREATE TABLE notes (body TEXT)');
        [$exit, , $err] = self::maintenance(['--db', $notAStore]);
        self::assertSame(1, $exit);
        self::assertStringContainsString('EL_ESCHEMA', $err);

        [$exit, , $err] = self::maintenance(['--db', $notAStore, '--retention-days', 'many']);
        self::assertSame(2, $exit);
        self::assertStringContainsString('--retention-days', $err);
        [$exit, , $err] = self::maintenance(['--bogus']);
        self::assertSame(2, $exit);
        self::assertStringContainsString('usage', $err);

        // copy: a SQLite store into a database, nothing else.
        [$exit, , $err] = self::maintenance(['copy', '--to', 'mysql://u:hidden-pw@127.0.0.1:1/x']);
        self::assertSame([2, true], [$exit, str_contains($err, 'copy needs --from')]);
        [$exit, , $err] = self::maintenance(['copy', '--from', $notAStore, '--to', Fixture::tempDir() . '/target.sqlite']);
        self::assertSame([2, true], [$exit, str_contains($err, 'must be a database URI')]);
        [$exit, , $err] = self::maintenance(['copy', '--from', Fixture::tempDir() . '/missing.sqlite', '--to', 'mysql://u:hidden-pw@127.0.0.1:1/x']);
        self::assertSame([1, true], [$exit, str_contains($err, 'no SQLite event store')]);
        [$exit, , $err] = self::maintenance(['copy', '--db=mysql://u:hidden-pw@127.0.0.1:1/x']);
        self::assertSame(2, $exit, 'prune\'s options are not copy\'s');
        self::assertStringNotContainsString('hidden-pw', $err, 'an argument is never echoed with its value');
        // A mistyped URI is named without its password, and is no file to look for.
        [$exit, , $err] = self::maintenance(['copy', '--from', $notAStore, '--to', 'mysql:/u:hidden-pw@127.0.0.1:1/x']);
        self::assertSame([2, true, false], [$exit, str_contains($err, 'must be a database URI (mysql://…), not mysql:/u@127.0.0.1:1/x'), str_contains($err, 'hidden-pw')], $err);
        [$exit, , $err] = self::maintenance(['--db', 'mysql:/u:hidden-pw@127.0.0.1:1/x']);
        self::assertSame([1, true, false], [$exit, str_contains($err, 'EL_EINVAL'), str_contains($err, 'hidden-pw')], $err);
        // Typed without a colon, it is a file path; the message names what follows the @ only.
        [$exit, , $err] = self::maintenance(['--db', 'mysql//u:hidden-pw@127.0.0.1:1/x']);
        self::assertSame([1, 'stream-events-maintenance: no event store at …@127.0.0.1:1/x', false],
            [$exit, trim($err), str_contains($err, 'hidden-pw')], $err);
    }

    /** A SQLite store with the fixture's directory, $n events spread over the last 20 days, and a few delivery keys. */
    private static function sqliteStore(int $n): string
    {
        $path = Fixture::tempDir() . '/events.sqlite';
        $log = EventLog::open($path, ['retentionDays' => 45], Fixture::library());
        $directory = Fixture::directory();
        $log->putDirectory($directory['accounts'], $directory['services']);
        $now = (int) (microtime(true) * 1000);
        $span = 20 * 86_400_000;
        for ($done = 0; $done < $n;) {
            $batch = [];
            for ($i = 0; $i < 50_000 && $done < $n; $i++, $done++) {
                $batch[] = ['type' => 'dj.connect', 'serviceId' => 42 + $done % 5, 'djName' => "DJ $done", 'time' => $now - $span + intdiv($span, $n) * $done]
                    + ($done % 1000 === 7 ? ['deliveryKey' => "test/$done"] : []);
            }
            $log->logBatch($batch);
        }
        $log->close();
        return $path;
    }

    /** Events per UTC day (ms of its start => count), straight from each side's table. */
    private static function perDay(string $sqlite, ?string $database = null): array
    {
        $day = 86_400_000;
        $rows = $database === null
            ? (new \PDO("sqlite:$sqlite"))->query("SELECT ts - ts % $day, COUNT(*) FROM event GROUP BY 1")->fetchAll(\PDO::FETCH_NUM)
            : Fixture::sql("SELECT ts - ts % $day, COUNT(*) FROM event GROUP BY 1", $database);
        $days = [];
        foreach ($rows as [$start, $count]) {
            $days[(int) $start] = (int) $count;
        }
        ksort($days);
        return $days;
    }

    public function testCopiesASqliteStoreIntoADatabaseAndVerifiesItPerDay(): void
    {
        Fixture::mariaDbOnly('copies into a MariaDB database');
        $from = self::sqliteStore(3_000);
        // Events of every shape too (actors with and without ids, takeover true/false/absent, IPs, details).
        $source = EventLog::open($from, [], Fixture::library());
        $source->logBatch(Fixture::events());
        $source->close();
        $n = 3_000 + count(Fixture::events());
        $to = Fixture::newStore();
        $password = (string) parse_url($to, PHP_URL_PASS);
        // --to from STREAM_EVENTS_DB: the password stays off the command line.
        [$exit, $out, $err] = self::maintenance(['copy', '--from', $from], ['STREAM_EVENTS_DB' => $to]);
        self::assertSame(0, $exit, $out . $err);
        self::assertStringContainsString("Copied $n events in this run; " . EventLog::redact($to) . " holds the source's events through id $n.", $out);
        self::assertStringContainsString('Verified: events per day are equal on both sides (21 days).', $out);
        self::assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d +\d+ +\d+$/m', $out, 'a line per day');
        self::assertStringNotContainsString($password, $out . $err);

        $source = EventLog::open($from, [], Fixture::library());
        $target = EventLog::open($to, [], Fixture::library());
        foreach ([Principal::admin(1), Principal::customer(4), Principal::reseller(3)] as $who) {
            foreach ([['perPage' => 500], ['perPage' => 500, 'page' => 3], ['q' => 'DJ 2999']] as $filter) {
                $a = $source->query($who, $filter);
                $b = $target->query($who, $filter);
                self::assertSame([$a['total'], $a['logs']], [$b['total'], $b['logs']], 'the same pages from both');
            }
        }
        self::assertSame(45, $target->storeInfo()['retentionDays'], 'the window came along');
        self::assertSame(8, $target->log(['type' => 'dj.connect', 'serviceId' => 42, 'djName' => 'again', 'deliveryKey' => 'test/7']), // event 7 of 0.. has id 8
            'the delivery keys came along: a repeat gets the first event\'s id');
        self::assertSame(self::perDay($from), self::perDay('', Fixture::databaseOf($to)));

        // Again: nothing new to copy, still verified.
        [$exit, $out] = self::maintenance(['copy', '--from', $from, '--to', $to]);
        self::assertSame(0, $exit, $out);
        self::assertStringContainsString('Copied 0 events in this run', $out);
        // Into a database that holds other events: refused.
        [$exit, , $err] = self::maintenance(['copy', '--from', self::sqliteStore(10), '--to', $to]);
        self::assertSame(1, $exit);
        self::assertStringContainsString('EL_EINVAL', $err);
        self::assertStringNotContainsString($password, $err);
    }

    /** Times no event can have, in a source edited by hand, made the copy's day arithmetic trap (found in review, 5 Dec). */
    public function testACopyRefusesASourceWithImpossibleTimesOrIds(): void
    {
        Fixture::mariaDbOnly('copies into a MariaDB database');
        foreach (['UPDATE event SET ts = -9223372036854775808 WHERE id = 3', 'UPDATE event SET id = 9223372036854775807 WHERE id = 10'] as $edit) {
            $from = self::sqliteStore(10);
            (new \PDO("sqlite:$from"))->exec($edit);
            $to = Fixture::newStore();
            [$exit, $out, $err] = self::maintenance(['copy', '--from', $from, '--to', $to]);
            self::assertSame(1, $exit, $out . $err);
            self::assertStringContainsString('EL_ESCHEMA', $err);
            self::assertStringContainsString('outside what an event can have', $err);
            self::assertSame([], Fixture::sql('SELECT id FROM event', Fixture::databaseOf($to)), 'nothing copied');
        }
    }

    public function testACopyKilledPartWayResumesWithoutDuplicates(): void
    {
        Fixture::mariaDbOnly('copies into a MariaDB database');
        $n = 300_000; // many batches, so the copy is still running when it is killed
        $from = self::sqliteStore($n);
        $to = Fixture::newStore();
        $database = Fixture::databaseOf($to);
        $copied = static fn (): array => array_map('intval', Fixture::sql('SELECT COUNT(*), COUNT(DISTINCT id), COALESCE(MAX(id), 0) FROM event', $database)[0]);

        // Killed three times, each once a batch more has committed: two batches are
        // in flight at a time (one per connection), and what is left is still a prefix.
        $count = 0;
        for ($kill = 1; $kill <= 3; $kill++) {
            $copy = self::start(['copy', '--from', $from], ['STREAM_EVENTS_DB' => $to]);
            $pid = proc_get_status($copy['process'])['pid'];
            // Wait for a newly committed batch (the database and its tables exist once the command opened it).
            do {
                usleep(20_000);
                $running = proc_get_status($copy['process'])['running'];
                $tables = Fixture::sql("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$database' AND TABLE_NAME = 'event'")[0][0];
            } while ($running && ($tables === '0' || $copied()[0] === $count));
            posix_kill($pid, SIGKILL);
            proc_close($copy['process']);
            self::assertTrue($running, "kill $kill: killed while it ran");

            $before = $count;
            [$count, $distinct, $max] = $copied();
            self::assertGreaterThan($before, $count, "kill $kill: more batches were committed before the kill");
            self::assertLessThan($n, $count, "kill $kill: and not all");
            self::assertSame([$count, $count], [$distinct, $max], "kill $kill: a prefix of the source: ids 1..count, each once");
        }

        [$exit, $out, $err] = self::maintenance(['copy', '--from', $from], ['STREAM_EVENTS_DB' => $to]);
        self::assertSame(0, $exit, $out . $err);
        self::assertStringContainsString('Copied ' . ($n - $count) . ' events in this run', $out, 'it went on from where it was killed');
        self::assertStringContainsString('Verified', $out);
        self::assertSame([$n, $n, $n], $copied(), 'every event once');
        self::assertSame(self::perDay($from), self::perDay('', $database), 'the same events per day');
        self::assertSame($n, EventLog::open($to, [], Fixture::library())->query(Principal::admin(1), ['perPage' => 1])['total'], 'the totals too');
    }

    /**
     * A copy waits up to --read-timeout-ms for each answer (ten minutes by default; the
     * panel's 30 s stopped a 10M copy on a server busy writing back, 7 Dec), then stops
     * with EL_EIO and says to run it again, which goes on without a duplicate.
     */
    public function testACopyWaitsForABusyServerUpToItsReadTimeoutAndARunAgainGoesOn(): void
    {
        Fixture::mariaDbOnly('copies into a MariaDB database');
        $n = 3_000;
        $from = self::sqliteStore($n);
        $to = Fixture::newStore();
        $database = Fixture::databaseOf($to);
        EventLog::open($to, [], Fixture::library())->close(); // the tables, so that a lock can be held on them
        // A gap lock on the empty event table: every insert waits until it is let go (after 6 s,
        // longer than the copy's 1 s read timeout; shorter than the copy's 5 s lock wait the second time).
        foreach ([['1000', 'DO SLEEP(6); COMMIT', 1], [null, 'DO SLEEP(2); COMMIT', 0]] as [$timeout, $then, $expected]) {
            $release = Fixture::holdLock($database, 'SELECT COUNT(*) FROM event FOR UPDATE', $then);
            try {
                [$exit, $out, $err] = self::maintenance(array_merge(['copy', '--from', $from], $timeout === null ? [] : ['--read-timeout-ms', $timeout]),
                    ['STREAM_EVENTS_DB' => $to]);
            } finally {
                $release();
            }
            self::assertSame($expected, $exit, $out . $err);
            if ($timeout !== null) {
                self::assertStringContainsString('EL_EIO', $err, 'the server did not answer in time');
                self::assertStringContainsString('run the copy again to go on from where it stopped (a server that took longer than --read-timeout-ms 1000', $err);
            } else {
                self::assertStringContainsString('Verified', $out, 'the default waits out a server busy for seconds');
            }
        }
        self::assertStringContainsString("holds the source's events through id $n.", $out);
        self::assertSame([[(string) $n, (string) $n]], Fixture::sql('SELECT COUNT(*), COUNT(DISTINCT id) FROM event', $database), 'every event once');

        [$exit, , $err] = self::maintenance(['copy', '--from', $from, '--to', $to, '--read-timeout-ms', '0']);
        self::assertSame([2, true], [$exit, str_contains($err, '--read-timeout-ms must be milliseconds from 1 to 3600000')], $err);
    }
}
