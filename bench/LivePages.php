<?php

declare(strict_types=1);

namespace StreamEvents\Bench;

use StreamEvents\Http\EntityTag;
use StreamEvents\Tests\FastCgi;

/**
 * Open Stream Events pages as the server sees them: each one loads its view,
 * then asks for what is new since its cursor (after=, If-None-Match) 2 s
 * after each answer, as public/assets/stream-events-live.js does. One process
 * drives them all over non-blocking FastCGI connections to PHP-FPM, one
 * request per connection, as nginx does.
 */
final class LivePages
{
    public const INTERVAL_MS = 2000;
    private const MAX_IN_FLIGHT = 256;

    /** @var list<array{who: string, path: string, query: array<string,string>, cursor: ?string}> */
    private array $pages = [];
    /** @var list<array{at: float, ms: float, status: int}> answers since the last take() */
    private array $answers = [];

    public function __construct(private readonly string $address, private readonly string $script)
    {
    }

    /**
     * $n pages of the benchmark directory (Rows): 2 % an admin's global view,
     * 8 % a reseller's, 46 % a customer's, 44 % one service's page (its
     * customer's); every fifth on the DJ tab.
     */
    public function add(int $n, int $seed): void
    {
        mt_srand($seed);
        for ($i = 0; $i < $n; $i++) {
            $kind = $i % 50;
            $service = mt_rand(1, Rows::SERVICES);
            $customer = Rows::customerOf($service);
            [$who, $path] = match (true) {
                $kind === 0 => ['admin:' . Rows::ADMIN, ''],
                $kind < 5 => ['reseller:' . Rows::resellerOf($customer), ''],
                $kind < 28 => ["customer:$customer", ''],
                default => ["customer:$customer", "/$service"],
            };
            $this->pages[] = ['who' => $who, 'path' => '/controller/EventLog' . $path,
                'query' => $i % 5 === 0 ? ['category' => 'dj'] : [], 'cursor' => null];
        }
    }

    /** Loads every page once (its first view, which gives its cursor). */
    public function open(): void
    {
        $this->drive(INF, false);
        $missing = count(array_filter($this->pages, static fn (array $p) => $p['cursor'] === null));
        if ($missing > 0) {
            throw new \RuntimeException("$missing pages did not load: " . json_encode(array_slice($this->take(), 0, 3)));
        }
        $this->answers = [];
    }

    /** Polls for $seconds, the pages' first polls spread over one interval. */
    public function poll(float $seconds): void
    {
        $this->drive($seconds, true);
    }

    /** @return list<array{at: float, ms: float, status: int}> the answers since the last call (at: hrtime ms) */
    public function take(): array
    {
        [$answers, $this->answers] = [$this->answers, []];
        return $answers;
    }

    /** Every page asks (once to open, or every interval until $seconds have passed). */
    private function drive(float $seconds, bool $polling): void
    {
        $start = hrtime(true) / 1e6;
        $end = $start + $seconds * 1000;
        $due = new \SplMinHeap(); // [when (hrtime ms), page]
        foreach (array_keys($this->pages) as $i) {
            $due->insert([$polling ? $start + $i * self::INTERVAL_MS / count($this->pages) : $start, $i]);
        }
        $flying = []; // socket id => [page, due at (ms), socket, received]
        while (($now = hrtime(true) / 1e6) < $end && (!$due->isEmpty() || $flying !== [])) {
            while (!$due->isEmpty() && count($flying) < self::MAX_IN_FLIGHT && $due->top()[0] <= $now) {
                [$at, $i] = $due->extract();
                $socket = $this->send($i, $polling);
                $flying[(int) $socket] = [$i, $at, $socket, ''];
            }
            $next = $due->isEmpty() ? $now + 50 : max($now, $due->top()[0]);
            $read = array_column($flying, 2);
            $write = $except = [];
            $wait = (int) max(0, min(50, $next - $now) * 1000);
            if ($read === []) {
                usleep($wait);
                continue;
            }
            if (stream_select($read, $write, $except, 0, $wait) === false) {
                throw new \RuntimeException('stream_select failed');
            }
            foreach ($read as $socket) {
                $id = (int) $socket;
                $chunk = fread($socket, 65536);
                $flying[$id][3] .= $chunk === false ? '' : $chunk;
                $stdout = FastCgi::stdout($flying[$id][3]);
                if ($stdout === null && $chunk !== '' && $chunk !== false) {
                    continue;
                }
                [$i, $sentAt] = $flying[$id];
                fclose($socket);
                unset($flying[$id]);
                $answered = hrtime(true) / 1e6;
                $status = $stdout === null ? 0 : $this->answered($i, FastCgi::response($stdout));
                // The time a page waits from when it meant to ask: queueing in this process included.
                $this->answers[] = ['at' => $answered, 'ms' => $answered - $sentAt, 'status' => $status];
                if ($polling) {
                    $due->insert([$answered + self::INTERVAL_MS, $i]);
                }
            }
        }
        foreach ($flying as [, , $socket]) {
            fclose($socket);
        }
    }

    /** @return resource */
    private function send(int $i, bool $polling)
    {
        $page = $this->pages[$i];
        $query = $page['query'] + ($polling ? ['after' => $page['cursor']] : []);
        $uri = $page['path'] . ($query === [] ? '' : '?' . http_build_query($query));
        $headers = ['X-Bench-Principal' => $page['who']] + ($polling ? ['If-None-Match' => "\"{$page['cursor']}\""] : []);
        $socket = stream_socket_client($this->address, $errno, $errstr, 5);
        if ($socket === false) {
            throw new \RuntimeException("cannot connect to $this->address: $errstr");
        }
        fwrite($socket, FastCgi::get($this->script, $uri, $headers));
        stream_set_blocking($socket, false);
        return $socket;
    }

    /** @param array{status: int, headers: array<string,string>, body: string} $response */
    private function answered(int $i, array $response): int
    {
        if ($response['status'] === 200) {
            $this->pages[$i]['cursor'] = EntityTag::cursorOf($response['body']) ?? $this->pages[$i]['cursor'];
        }
        return $response['status'];
    }
}
