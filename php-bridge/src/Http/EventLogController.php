<?php

declare(strict_types=1);

namespace StreamEvents\Http;

use StreamEvents\EventLog;
use StreamEvents\EventType;
use StreamEvents\Exception\AccessDenied;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Exception\NotFound;
use StreamEvents\Exception\StorageError;
use StreamEvents\Exception\StoreBusy;
use StreamEvents\Principal;

/**
 * GET /controller/EventLog and GET /controller/EventLog/{id}.
 *
 * The host panel authenticates and passes the principal; this class turns the
 * query string into a library filter (rejecting bad parameters with 400 naming
 * them), and maps the library's answers onto HTTP. Scope is decided by the
 * library, never here.
 */
final class EventLogController
{
    private const ACTORS = ['user', 'dj', 'api', 'system'];
    private const FORMATS = ['csv' => 'text/csv; charset=utf-8', 'jsonl' => 'application/x-ndjson'];
    private const MAX_PER_PAGE = 500;
    private const MAX_Q = 200;

    public function __construct(private readonly EventLog $log)
    {
    }

    /** @param array<string,mixed> $query the request's query parameters ($_GET) */
    public function handle(Principal $who, ?int $serviceId, array $query): Response
    {
        try {
            $filter = self::filter($serviceId, $query);
            $format = self::format($query);
            if ($format === null) {
                // The library's page JSON is the response, byte for byte.
                return Response::json(200, $this->log->queryJson($who, $filter));
            }
            unset($filter['page'], $filter['perPage']); // a download is the whole filtered view
            $chunks = $this->log->export($who, $filter, $format); // opens now: errors still get a status
            $scope = isset($filter['serviceId']) ? 'service-' . $filter['serviceId'] : 'all';
            $filename = sprintf('stream-events-%s-%s.%s', $scope, gmdate('Ymd'), $format);
            return new Response(200, [
                'Content-Type' => self::FORMATS[$format],
                'Content-Disposition' => "attachment; filename=\"$filename\"",
                'Cache-Control' => 'no-store',
                'X-Content-Type-Options' => 'nosniff',
                'X-Accel-Buffering' => 'no', // nginx: pass chunks on instead of spooling the download
            ], self::cutShortOnFailure($chunks, $filename));
        } catch (InvalidParameter $e) {
            return Response::error(400, 'invalid_parameter', $e->getMessage(), $e->parameter);
        } catch (AccessDenied) {
            return Response::error(403, 'access_denied', $serviceId !== null || isset($filter['serviceId'])
                ? 'You may not see the events of this service.' : 'You may not see these events.');
        } catch (NotFound) {
            return Response::error(404, 'not_found', 'There is no such service.');
        } catch (InvalidArgument $e) {
            // Validated above, so the library rejecting the filter is unexpected; still the client's input.
            return Response::error(400, 'invalid_parameter', $e->getMessage());
        } catch (StoreBusy $e) {
            error_log('stream-events: ' . $e->getMessage());
            return Response::error(503, 'store_busy', 'The event store is busy; try again shortly.', null, ['Retry-After' => '1']);
        } catch (StorageError $e) {
            error_log('stream-events: ' . $e->getMessage());
            return Response::error(500, 'storage_error', 'The event store failed; the error has been logged.');
        }
    }

    /**
     * Headers are gone once the first chunk is out, so a storage failure
     * mid-download can no longer become an error status: log it and end the
     * body rather than print a PHP error into the file.
     */
    private static function cutShortOnFailure(iterable $chunks, string $filename): \Generator
    {
        try {
            yield from $chunks;
        } catch (EventLogException $e) {
            error_log("stream-events: download $filename cut short: " . $e->getMessage());
        }
    }

    /** @return array<string,mixed> the library filter for these parameters */
    public static function filter(?int $pathServiceId, array $query): array
    {
        $filter = [];
        $category = self::scalar($query, 'category');
        if ($category !== null && $category !== '' && $category !== 'all') {
            if (!in_array($category, EventType::CATEGORIES, true)) {
                throw new InvalidParameter('category', 'category must be one of all, ' . implode(', ', EventType::CATEGORIES) . '.');
            }
            $filter['category'] = $category;
        }
        $types = self::types($query);
        if ($types !== []) {
            $filter['types'] = $types;
        }
        $serviceId = self::positiveInt($query, 'service_id', PHP_INT_MAX);
        if ($pathServiceId !== null && $serviceId !== null && $serviceId !== $pathServiceId) {
            throw new InvalidParameter('service_id', 'service_id contradicts the service in the path.');
        }
        $serviceId ??= $pathServiceId;
        if ($serviceId !== null) {
            $filter['serviceId'] = $serviceId;
        }
        $actor = self::scalar($query, 'actor');
        if ($actor !== null && $actor !== '') {
            if (!in_array($actor, self::ACTORS, true)) {
                throw new InvalidParameter('actor', 'actor must be one of ' . implode(', ', self::ACTORS) . '.');
            }
            $filter['actor'] = $actor;
        }
        $from = self::time($query, 'from', false);
        $to = self::time($query, 'to', true);
        if ($from !== null && $to !== null && $from >= $to) {
            throw new InvalidParameter('to', 'to must be later than from.');
        }
        if ($from !== null) {
            $filter['from'] = $from;
        }
        if ($to !== null) {
            $filter['to'] = $to;
        }
        $q = self::scalar($query, 'q');
        if ($q !== null && trim($q) !== '') {
            if (preg_match('//u', $q) !== 1) {
                throw new InvalidParameter('q', 'q must be UTF-8 text.');
            }
            if (preg_match_all('/./us', $q) > self::MAX_Q) {
                throw new InvalidParameter('q', 'q must be at most ' . self::MAX_Q . ' characters.');
            }
            $filter['q'] = trim($q);
        }
        $page = self::positiveInt($query, 'page', 1_000_000);
        if ($page !== null) {
            $filter['page'] = $page;
        }
        $perPage = self::positiveInt($query, 'per_page', self::MAX_PER_PAGE);
        if ($perPage !== null) {
            $filter['perPage'] = $perPage;
        }
        return $filter;
    }

    private static function format(array $query): ?string
    {
        $format = self::scalar($query, 'format');
        if ($format === null || $format === '') {
            return null;
        }
        if (!isset(self::FORMATS[$format])) {
            throw new InvalidParameter('format', 'format must be csv or jsonl (or absent for JSON).');
        }
        return $format;
    }

    /** Echoes client input in a message: at most 64 characters, valid UTF-8. */
    private static function clip(string $value): string
    {
        $value = preg_match('//u', $value) === 1 ? $value : (string) preg_replace('/[^\x20-\x7e]/', '?', $value);
        return preg_match('/^.{65}/us', $value) === 1 ? preg_replace('/^(.{60}).*$/us', '$1…', $value) : $value;
    }

    /** A single-valued parameter, or null when absent; type[]-style arrays are refused. */
    private static function scalar(array $query, string $name): ?string
    {
        if (!array_key_exists($name, $query)) {
            return null;
        }
        if (!is_string($query[$name])) {
            throw new InvalidParameter($name, "$name must be given once, as a single value.");
        }
        return $query[$name];
    }

    private static function positiveInt(array $query, string $name, int $max): ?int
    {
        $value = self::scalar($query, $name);
        if ($value === null || $value === '') {
            return null;
        }
        if (!preg_match('/^[0-9]{1,18}$/', $value) || (int) $value < 1 || (int) $value > $max) {
            throw new InvalidParameter($name, $max === PHP_INT_MAX
                ? "$name must be a positive integer."
                : "$name must be an integer from 1 to $max.");
        }
        return (int) $value;
    }

    /** type=a,b or type[]=a&type[]=b; each must be a catalog type id. @return list<string> */
    private static function types(array $query): array
    {
        if (!array_key_exists('type', $query)) {
            return [];
        }
        $raw = $query['type'];
        $values = [];
        foreach (is_array($raw) ? $raw : [$raw] as $item) {
            if (!is_string($item)) {
                throw new InvalidParameter('type', 'type must be a comma-separated list of event type ids.');
            }
            foreach (explode(',', $item) as $type) {
                $type = trim($type);
                if ($type === '') {
                    continue;
                }
                if (EventType::tryFrom($type) === null) {
                    throw new InvalidParameter('type', sprintf('Unknown event type "%s".', self::clip($type)));
                }
                $values[$type] = true;
            }
        }
        return array_keys($values);
    }

    /**
     * Unix ms, RFC 3339, or a calendar date (UTC). A date as `to` means the
     * end of that day, since `to` is exclusive and "to 2026-11-27" reads as
     * including the 27th. @return int|null unix ms
     */
    private static function time(array $query, string $name, bool $isEnd): ?int
    {
        $value = self::scalar($query, $name);
        if ($value === null || $value === '') {
            return null;
        }
        $utc = new \DateTimeZone('UTC');
        if (preg_match('/^[0-9]{1,15}$/', $value)) {
            return (int) $value;
        }
        if (preg_match('/^([0-9]{4})-([0-9]{2})-([0-9]{2})$/', $value, $d)) {
            if (!checkdate((int) $d[2], (int) $d[3], (int) $d[1])) {
                throw new InvalidParameter($name, "$name is not a valid date.");
            }
            $day = new \DateTimeImmutable($value . 'T00:00:00', $utc);
            return (int) ($isEnd ? $day->modify('+1 day') : $day)->format('Uv');
        }
        $rfc3339 = '/^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.[0-9]{1,9})?([Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$/';
        if (preg_match($rfc3339, $value, $t) && checkdate((int) $t[2], (int) $t[3], (int) $t[1])) {
            return (int) (new \DateTimeImmutable(str_replace(' ', 'T', $value), $utc))->format('Uv');
        }
        throw new InvalidParameter($name, "$name must be unix milliseconds, an RFC 3339 time or a YYYY-MM-DD date.");
    }
}
