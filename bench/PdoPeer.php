<?php

declare(strict_types=1);

namespace StreamEvents\Bench;

/**
 * The pure-PHP peer: what a panel developer writes without this module, with
 * PDO — a persistent connection, a prepared INSERT per event (autocommit),
 * COUNT(*) plus LIMIT/OFFSET for a page, fputcsv for export, one DELETE for
 * prune. Same schema, rows, scope rule and durability as the event store:
 * PDO SQLite on a file (WAL, synchronous NORMAL), or pdo_mysql on a
 * mysql://user:password@host:port/database URL (the database made by
 * bench/maria.php with the library's own tables; it keeps no counters).
 */
final class PdoPeer
{
    private const CATEGORIES = ['service' => [1, 2, 3, 4, 5, 6, 7, 8, 9], 'source' => [20, 21, 22], 'dj' => [30, 31, 32, 33],
        'autodj' => [40], 'mount' => [50, 51]];
    /** The columns of `log`'s INSERT, in the order of `Rows::generate`'s column lists. */
    public const COLUMNS = 'ts, type, service_id, actor_type, actor_id, actor_name, dj_name, source_ip, takeover, details, service_name, owner_id, owner_name, message';

    private ?\PDOStatement $insert = null;

    private function __construct(private readonly \PDO $pdo)
    {
    }

    public static function open(string $path): self
    {
        if (str_starts_with($path, 'mysql://')) {
            return new self(self::connectMySql($path));
        }
        $isNew = !file_exists($path);
        $pdo = new \PDO("sqlite:$path", null, null, [
            \PDO::ATTR_PERSISTENT => true,
            \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
            \PDO::ATTR_TIMEOUT => 5, // busy timeout, as the store's busyTimeoutMs 5000
        ]);
        if ($isNew) {
            $pdo->exec('PRAGMA auto_vacuum = INCREMENTAL');
        }
        $pdo->exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
        if ($isNew) {
            // The schema of a store the library created (bench.php dumps it): the same tables and indexes.
            $pdo->exec(file_get_contents(getenv('BENCH_SCHEMA') ?: throw new \RuntimeException('BENCH_SCHEMA is not set')));
        }
        return new self($pdo);
    }

    /** pdo_mysql to the database of a mysql:// URL, as a panel connects. */
    private static function connectMySql(string $url): \PDO
    {
        [$dsn, $user, $password] = self::mysqlDsn($url);
        return new \PDO($dsn, $user, $password, [
            \PDO::ATTR_PERSISTENT => true,
            \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
            // Server-side prepared statements: the INSERT is parsed once, not once per event.
            \PDO::ATTR_EMULATE_PREPARES => false,
        ]);
    }

    /**
     * [DSN, user, password] of mysql://user:password@host:port[/database]
     * (or @localhost/database?socket=/path), the library's store URL.
     */
    public static function mysqlDsn(string $url): array
    {
        $u = parse_url($url);
        parse_str($u['query'] ?? '', $query);
        $where = isset($query['socket']) ? 'unix_socket=' . $query['socket'] : 'host=' . $u['host'] . ';port=' . ($u['port'] ?? 3306);
        $db = ltrim($u['path'] ?? '', '/');
        return ["mysql:$where;" . ($db === '' ? '' : "dbname=$db;") . 'charset=utf8mb4', urldecode($u['user']), urldecode($u['pass'] ?? '')];
    }

    public function pdo(): \PDO
    {
        return $this->pdo;
    }

    public function putDirectory(array $accounts, array $services): void
    {
        $this->pdo->beginTransaction();
        $a = $this->pdo->prepare('REPLACE INTO account (id, role, name, reseller_id) VALUES (?, ?, ?, ?)');
        foreach ($accounts as $x) {
            $a->execute([$x['id'], $x['role'], $x['name'], $x['resellerId'] ?? null]);
        }
        $s = $this->pdo->prepare('REPLACE INTO service (id, name, owner_id, kind) VALUES (?, ?, ?, ?)');
        foreach ($services as $x) {
            $s->execute([$x['id'], $x['name'], $x['ownerId'], $x['kind']]);
        }
        $this->pdo->commit();
    }

    /** One event, committed on return (autocommit). */
    public function log(array $columns): int
    {
        $this->insert ??= $this->pdo->prepare('INSERT INTO event (' . self::COLUMNS . ') VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        $this->insert->execute($columns);
        return (int) $this->pdo->lastInsertId();
    }

    /** @param list<list<int|string|null>> $rows one transaction */
    public function logMany(array $rows): void
    {
        $this->pdo->beginTransaction();
        foreach ($rows as $columns) {
            $this->log($columns);
        }
        $this->pdo->commit();
    }

    /** A page and its exact total, as the store's query() returns it. */
    public function page(string $role, int $id, array $filter): array
    {
        [$where, $params] = $this->where($role, $id, $filter);
        $count = $this->pdo->prepare("SELECT COUNT(*) FROM event e WHERE $where");
        $count->execute($params);
        $total = (int) $count->fetchColumn();
        $perPage = $filter['perPage'] ?? 25;
        $page = $filter['page'] ?? 1;
        $rows = $this->pdo->prepare($this->select($where) . ' LIMIT ' . (int) $perPage . ' OFFSET ' . (int) (($page - 1) * $perPage));
        $rows->execute($params);
        $logs = [];
        while ($row = $rows->fetch(\PDO::FETCH_ASSOC)) {
            $row['time'] = gmdate('Y-m-d\TH:i:s\Z', intdiv((int) $row['ts'], 1000));
            $row['details'] = $row['details'] === null ? [] : json_decode($row['details'], true);
            $logs[] = $row;
        }
        return ['logs' => $logs, 'total' => $total, 'page' => $page, 'perPage' => $perPage, 'totalPages' => intdiv($total + $perPage - 1, $perPage)];
    }

    /** Every matching row, newest first, as CSV into $out; returns the row count. */
    public function exportCsv(string $role, int $id, array $filter, $out, ?\Closure $progress = null): int
    {
        [$where, $params] = $this->where($role, $id, $filter);
        if ($this->pdo->getAttribute(\PDO::ATTR_DRIVER_NAME) === 'mysql') {
            // Streamed, not buffered: pdo_mysql would otherwise hold every row in PHP's memory first.
            $this->pdo->setAttribute(\PDO::MYSQL_ATTR_USE_BUFFERED_QUERY, false);
        }
        $rows = $this->pdo->prepare($this->select($where));
        $rows->execute($params);
        fputcsv($out, ['id', 'time_utc', 'type', 'service_id', 'service', 'customer_id', 'customer', 'actor_type', 'actor_id',
            'actor_name', 'dj_name', 'source_ip', 'takeover', 'message', 'details']);
        $n = 0;
        while ($r = $rows->fetch(\PDO::FETCH_NUM)) {
            // id, ts, type, service_id, actor_type, actor_id, actor_name, dj_name, source_ip, takeover, details, service, owner_id, owner, message
            fputcsv($out, [$r[0], gmdate('Y-m-d\TH:i:s\Z', intdiv((int) $r[1], 1000)), $r[2], $r[3], $r[11], $r[12], $r[13], $r[4],
                $r[5], $r[6], $r[7], $r[8], $r[9], $r[14], $r[10]]);
            if (++$n % 1000 === 0 && $progress !== null) {
                $progress($n);
            }
        }
        return $n;
    }

    /** Deletes events older than $cutoffMs in one statement; returns how many. */
    public function prune(int $cutoffMs): int
    {
        return $this->pdo->exec('DELETE FROM event WHERE ts < ' . $cutoffMs);
    }

    private function select(string $where): string
    {
        return 'SELECT e.id, e.ts, e.type, e.service_id, e.actor_type, e.actor_id, e.actor_name, e.dj_name, e.source_ip, e.takeover,'
            . ' e.details, COALESCE(s.name, e.service_name) AS service_name, COALESCE(s.owner_id, e.owner_id) AS owner_id,'
            . ' COALESCE(a.name, e.owner_name) AS owner_name, e.message'
            . " FROM event e LEFT JOIN service s ON s.id = e.service_id LEFT JOIN account a ON a.id = s.owner_id WHERE $where"
            . ' ORDER BY e.ts DESC, e.id DESC';
    }

    /** The same access rule and filters as the store (Scope.swift, Filter.swift). */
    private function where(string $role, int $id, array $filter): array
    {
        $sql = ['1'];
        $params = [];
        if ($role === 'reseller') {
            $sql[] = 'e.service_id IN (SELECT id FROM service WHERE owner_id = :who OR owner_id IN (SELECT id FROM account WHERE reseller_id = :who2))';
            $params['who'] = $params['who2'] = $id;
        } elseif ($role === 'customer') {
            $sql[] = 'e.service_id IN (SELECT id FROM service WHERE owner_id = :who)';
            $params['who'] = $id;
        }
        if (isset($filter['category'])) {
            $sql[] = 'e.type IN (' . implode(',', self::CATEGORIES[$filter['category']]) . ')';
        }
        if (isset($filter['serviceId'])) {
            $sql[] = 'e.service_id = :service';
            $params['service'] = $filter['serviceId'];
        }
        if (isset($filter['from'])) {
            $sql[] = 'e.ts >= :from';
            $params['from'] = $filter['from'];
        }
        if (isset($filter['to'])) {
            $sql[] = 'e.ts < :to';
            $params['to'] = $filter['to'];
        }
        return [implode(' AND ', $sql), $params];
    }
}
