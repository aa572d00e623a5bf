<?php

declare(strict_types=1);

namespace StreamEvents\Bench;

/**
 * The lean peer: the event log a panel developer would write by hand with
 * PDO SQLite, and no more — one table of 12 columns (the type id doubles as
 * the message; no directory snapshot), indexes on (ts), (service_id, ts) and
 * (category, ts), WAL with synchronous NORMAL, one autocommit INSERT per
 * event. It validates nothing and counts nothing: the cheapest honest way to
 * store an event.
 */
final class LeanPeer
{
    private const SCHEMA = <<<'SQL'
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS event (
            id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, service_id INTEGER NOT NULL, category TEXT NOT NULL,
            type TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id INTEGER, actor_name TEXT, dj_name TEXT,
            source_ip TEXT, takeover INTEGER, details TEXT, message TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS event_ts ON event (ts);
        CREATE INDEX IF NOT EXISTS event_service_ts ON event (service_id, ts);
        CREATE INDEX IF NOT EXISTS event_category_ts ON event (category, ts);
        SQL;

    private ?\PDOStatement $insert = null;

    private function __construct(private readonly \PDO $pdo)
    {
    }

    public static function open(string $path): self
    {
        $pdo = new \PDO("sqlite:$path", null, null, [\PDO::ATTR_PERSISTENT => true, \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
            \PDO::ATTR_TIMEOUT => 5]);
        $pdo->exec(self::SCHEMA);
        $pdo->exec('PRAGMA synchronous = NORMAL');
        return new self($pdo);
    }

    /** The 12 columns of an event as Rows generates it (the event array for el_log). */
    public static function columns(array $event): array
    {
        $actor = $event['actor'] ?? ['type' => str_starts_with($event['type'], 'dj.') ? 'dj' : 'system'];
        return [$event['time'] ?? (int) (microtime(true) * 1000), $event['serviceId'], strstr($event['type'], '.', true), $event['type'],
            $actor['type'], $actor['id'] ?? null, $actor['name'] ?? null, $event['djName'] ?? null, $event['sourceIp'] ?? null,
            isset($event['takeover']) ? (int) $event['takeover'] : null,
            isset($event['details']) ? json_encode($event['details']) : null, $event['type']];
    }

    /** One event, committed on return (autocommit). */
    public function log(array $event): void
    {
        $this->insert ??= $this->pdo->prepare('INSERT INTO event (ts, service_id, category, type, actor_type, actor_id, actor_name, '
            . 'dj_name, source_ip, takeover, details, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        $this->insert->execute(self::columns($event));
    }

    /** @param list<array> $events one transaction */
    public function logMany(array $events): void
    {
        $this->pdo->beginTransaction();
        foreach ($events as $event) {
            $this->log($event);
        }
        $this->pdo->commit();
    }
}
