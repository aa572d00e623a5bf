<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\Principal;

/**
 * Two panel nodes on one store: two PHP servers (preloaded as under FPM, two
 * workers each) log the panel's actions at the same time, and afterwards
 * each node shows every acknowledged event, exact totals (equal to the rows
 * an export gives) and the same pages as the other. On MariaDB this is the
 * multi-host set-up; on SQLite the same holds for two processes on one host.
 */
final class TwoPanelNodesTest extends TestCase
{
    private const CLIENTS_PER_NODE = 2;
    private const EVENTS_PER_CLIENT = 100;

    /** The panel's own code on a node: logs a restart (the typed helpers), answers its id; everything else is the bridge's front controller. */
    private const NODE_ROUTER = <<<'PHP'
        <?php
        use StreamEvents\{Actor, EventLog, Events, ServiceAction};
        if (parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) === '/panel/restart' && $_SERVER['REQUEST_METHOD'] === 'POST') {
            $log = EventLog::open(getenv('STREAM_EVENTS_DB'));
            $id = (new Events($log))->serviceAction(ServiceAction::Restart, (int) $_GET['service'],
                Actor::user(4, getenv('NODE') . ' ' . $_GET['client'] . '/' . $_GET['n']));
            header('Content-Type: text/plain');
            echo $id;
            return;
        }
        require BRIDGE . '/public/index.php';
        PHP;

    /** A client: posts EVENTS_PER_CLIENT restarts to one node, one after the other; prints "service id" per acknowledged one. */
    private const CLIENT = <<<'PHP'
        [, $url, $client, $count] = $argv;
        for ($n = 0; $n < (int) $count; $n++) {
            $service = $n % 2 === 0 ? 42 : 43;
            $context = stream_context_create(['http' => ['method' => 'POST', 'ignore_errors' => true, 'timeout' => 60]]);
            $body = @file_get_contents("$url/panel/restart?service=$service&client=$client&n=$n", false, $context);
            if ($body !== false && str_contains($http_response_header[0] ?? '', ' 200 ') && ctype_digit($body)) {
                echo "$service $body\n"; // acknowledged: the node answered with the id
            } else {
                fwrite(STDERR, "$client/$n: " . ($http_response_header[0] ?? 'no answer') . " $body\n");
            }
        }
        PHP;

    public function testTwoNodesLoggingAtOnceShowTheSameCompleteLog(): void
    {
        $store = self::seed(Fixture::newStore());
        $dir = Fixture::tempDir();
        file_put_contents("$dir/node.php", str_replace('BRIDGE', var_export(dirname(__DIR__), true), self::NODE_ROUTER));
        $nodes = [];
        foreach (['A', 'B'] as $name) {
            $nodes[$name] = new PhpServer("$dir/node.php", ['STREAM_EVENTS_DB' => $store, 'STREAM_EVENTS_DEMO' => '1', 'NODE' => "node$name",
                'PHP_CLI_SERVER_WORKERS' => '2']);
        }
        try {
            // Every client at once, half of them on each node.
            $clients = $outputs = [];
            foreach ($nodes as $name => $node) {
                for ($c = 0; $c < self::CLIENTS_PER_NODE; $c++) {
                    $clients[] = proc_open([PHP_BINARY, '-r', self::CLIENT, '--', $node->url, "$name$c", (string) self::EVENTS_PER_CLIENT],
                        [1 => ['pipe', 'w'], 2 => ['file', "$dir/client-$name$c.err", 'w']], $pipes);
                    $outputs[] = $pipes[1];
                }
            }
            $acked = [];
            foreach ($outputs as $i => $out) {
                foreach (array_filter(explode("\n", stream_get_contents($out))) as $line) {
                    [$service, $id] = array_map('intval', explode(' ', $line));
                    $acked[$id] = $service;
                }
                proc_close($clients[$i]);
            }
            $sent = 2 * self::CLIENTS_PER_NODE * self::EVENTS_PER_CLIENT;
            self::assertCount($sent, $acked, "every request acknowledged with an id of its own:\n"
                . implode('', array_map('file_get_contents', glob("$dir/client-*.err"))) . $nodes['A']->log() . $nodes['B']->log());

            $seededTotal = array_sum(Fixture::EVENTS_PER_SERVICE);
            $pages = [];
            foreach ($nodes as $name => $node) {
                [$ids, $pages[$name]] = self::allPages($node, 'demo-admin');
                self::assertCount($seededTotal + $sent, $ids, "node $name: the total is every event");
                self::assertSame(count($ids), count(array_unique($ids)), "node $name: no event on two pages");
                self::assertSame([], array_diff(array_keys($acked), $ids), "node $name: every acknowledged event is there");
                $export = self::get($node, '/controller/EventLog?format=jsonl', 'demo-admin');
                $rows = array_map(static fn (string $l) => json_decode($l, true, 512, JSON_THROW_ON_ERROR)['id'], explode("\n", rtrim($export, "\n")));
                self::assertSame($ids, $rows, "node $name: the export holds exactly the paged events, in the same order");

                // A customer's view: its own services' events only, totals exact.
                $mine = count(array_filter($acked, static fn (int $service) => $service === 42));
                [$customerIds] = self::allPages($node, 'demo-customer');
                self::assertCount(Fixture::EVENTS_PER_SERVICE[42] + Fixture::EVENTS_PER_SERVICE[46] + $mine, $customerIds, "node $name: customer 4");
            }
            self::assertSame($pages['A'], $pages['B'], 'both nodes serve the same pages, byte for byte');
            $byNode = [];
            foreach ($pages['A'] as $body) {
                foreach (json_decode($body, true)['logs'] as $event) {
                    $node = strtok((string) $event['actor']['name'], ' ');
                    $byNode[$node] = ($byNode[$node] ?? 0) + 1;
                }
            }
            self::assertSame($sent / 2, $byNode['nodeA'] ?? 0, 'half of the events were logged through node A');
            self::assertSame($sent / 2, $byNode['nodeB'] ?? 0, 'and half through node B');
        } finally {
            foreach ($nodes as $node) {
                $node->stop();
            }
        }
    }

    /** The fixture's directory and events in $store; returns $store. */
    private static function seed(string $store): string
    {
        $log = \StreamEvents\EventLog::open($store, [], Fixture::library());
        $directory = Fixture::directory();
        $log->putDirectory($directory['accounts'], $directory['services']);
        $log->logBatch(Fixture::events());
        self::assertSame(array_sum(Fixture::EVENTS_PER_SERVICE), $log->query(Principal::admin(1))['total']);
        $log->close();
        return $store;
    }

    /** @return array{list<int>, list<string>} every id of the view, page by page, and the pages' bodies */
    private static function allPages(PhpServer $node, string $token): array
    {
        $ids = [];
        $bodies = [];
        for ($page = 1, $pages = 1; $page <= $pages; $page++) {
            $body = self::get($node, "/controller/EventLog?per_page=50&page=$page", $token);
            $json = json_decode($body, true, 512, JSON_THROW_ON_ERROR);
            $pages = $json['totalPages'];
            self::assertSame($page < $pages ? 50 : $json['total'] - 50 * ($pages - 1), count($json['logs']), "page $page of $pages");
            array_push($ids, ...array_column($json['logs'], 'id'));
            $bodies[] = $body;
        }
        return [$ids, $bodies];
    }

    private static function get(PhpServer $node, string $path, string $token): string
    {
        $r = $node->get($path, $token);
        self::assertSame(200, $r['status'], $path . ': ' . $r['body'] . $node->log());
        return $r['body'];
    }
}
