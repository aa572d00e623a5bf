<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Http\EventLogController;
use StreamEvents\Principal;

/** A download of 200k events streams through PHP without holding it in memory. */
final class ExportTest extends TestCase
{
    private const EVENTS = 200_000;

    public function testExporting200kEventsKeepsMemoryFlat(): void
    {
        $log = Fixture::openStore();
        $dir = Fixture::directory();
        $log->putDirectory($dir['accounts'], $dir['services']);
        $start = (intdiv((int) (microtime(true) * 1000), 1000) - 2 * 86_400) * 1000;
        for ($done = 0; $done < self::EVENTS; $done += count($batch)) {
            $batch = [];
            for ($i = $done; $i < min(self::EVENTS, $done + 20_000); $i++) {
                $batch[] = ['type' => 'dj.connect', 'serviceId' => 42 + $i % 3, 'time' => $start + $i,
                    'djName' => 'DJ ' . $i, 'sourceIp' => '198.51.100.' . ($i % 250), 'takeover' => $i % 2 === 0];
            }
            self::assertSame(count($batch), $log->logBatch($batch));
        }
        unset($batch);
        gc_collect_cycles();

        memory_reset_peak_usage();
        $base = memory_get_usage();
        $response = (new EventLogController(static fn (): EventLog => $log, Fixture::signedIn(null)))->respond(Principal::admin(1), null, ['format' => 'csv']);
        self::assertSame(200, $response->status);
        self::assertTrue($response->isStreamed());
        $bytes = 0;
        $lines = 0;
        $chunks = 0;
        foreach ($response->body as $chunk) {
            $bytes += strlen($chunk);
            $lines += substr_count($chunk, "\r\n");
            $chunks++;
        }
        $growth = memory_get_peak_usage() - $base;
        unset($response);

        self::assertSame(1 + self::EVENTS, $lines, 'header plus every event');
        self::assertGreaterThan(20, $chunks, 'the export arrives in many chunks');
        self::assertGreaterThan(10_000_000, $bytes);
        self::assertLessThan(2 * 1024 * 1024, $growth, sprintf('peak grew by %d bytes while exporting %d bytes', $growth, $bytes));
        self::assertLessThan($bytes / 50, $growth);
    }
}
