<?php

declare(strict_types=1);

namespace StreamEvents\Http;

/**
 * The file name of a download, saying what it holds, so that several exports
 * side by side in a Downloads folder can be told apart:
 *
 *   stream-events-all-20261127.csv                        everything kept, up to the 27th (the day of the export)
 *   stream-events-service-42-dj-20261101-20261127.csv     service 42, DJ events, 1 to 27 November
 *   stream-events-all-service.suspend-20261120-20261127.jsonl
 *
 * Parts: the service (or all), the category or a lone type, then the first
 * and the last day covered (UTC). `to` is exclusive, so the last day is the
 * one before it ends; without `to` it is the day of the export. Built from
 * the filter the library has already accepted; anything else is left out.
 */
final class DownloadName
{
    /** @param array<string,mixed> $filter the library filter (FilterParameters::toFilter()) */
    public static function of(array $filter, string $format, ?\DateTimeImmutable $now = null): string
    {
        $parts = ['stream-events', isset($filter['serviceId']) ? 'service-' . $filter['serviceId'] : 'all'];
        $types = (array) ($filter['types'] ?? []);
        if (count($types) === 1) {
            $parts[] = $types[0];
        } elseif (($filter['category'] ?? 'all') !== 'all') {
            $parts[] = $filter['category'];
        }
        $from = self::milliseconds($filter['from'] ?? null);
        $to = self::milliseconds($filter['to'] ?? null);
        if ($from !== null) {
            $parts[] = self::day($from);
        }
        $parts[] = $to !== null ? self::day($to - 1) : ($now ?? new \DateTimeImmutable())->setTimezone(new \DateTimeZone('UTC'))->format('Ymd');
        // Defence in depth: the name goes into a header between quotes.
        return preg_replace('/[^A-Za-z0-9._-]+/', '_', implode('-', $parts)) . '.' . $format;
    }

    /** Unix ms, a YYYY-MM-DD date (UTC midnight) or RFC 3339, as the library takes them; null when absent or unreadable. */
    private static function milliseconds(mixed $time): ?int
    {
        if (is_int($time)) {
            return $time;
        }
        if (!is_string($time) || $time === '') {
            return null;
        }
        try {
            $t = new \DateTimeImmutable($time, new \DateTimeZone('UTC'));
        } catch (\Exception) {
            return null;
        }
        return (int) $t->format('Uv');
    }

    private static function day(int $milliseconds): string
    {
        return gmdate('Ymd', intdiv($milliseconds, 1000));
    }
}
