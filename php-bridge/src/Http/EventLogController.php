<?php

declare(strict_types=1);

namespace StreamEvents\Http;

use StreamEvents\EventLog;
use StreamEvents\Exception\AccessDenied;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\InvalidArgument;
use StreamEvents\Exception\NotFound;
use StreamEvents\Exception\StorageError;
use StreamEvents\Exception\StoreBusy;
use StreamEvents\Principal;

/**
 * GET (and HEAD) /controller/EventLog and /controller/EventLog/{id}: the whole
 * front door, so a panel only wires it (see php-bridge/public/index.php).
 *
 * It answers its own 405, 401 (the panel's Authenticator names nobody) and
 * 400 for a bad id in the path; maps the query string onto a library filter
 * (FilterParameters) and the library's answers onto HTTP. The library judges
 * the filter and decides the scope; nothing is re-checked here.
 */
final class EventLogController
{
    public const PATH = '/controller/EventLog';
    private const FORMATS = ['csv' => 'text/csv; charset=utf-8', 'jsonl' => 'application/x-ndjson'];
    /** UTF-8 byte order mark: without it Excel reads a CSV as the local code page and garbles non-ASCII names. */
    private const BOM = "\u{FEFF}";

    /**
     * @param \Closure(): EventLog $openEventLog called only for a request that reaches the store
     * @param string $path where the panel mounts the API
     */
    public function __construct(
        private readonly \Closure $openEventLog,
        private readonly Authenticator $authenticator,
        private readonly string $path = self::PATH,
    ) {
    }

    /**
     * The response for this request, or null when $path is not the API's.
     *
     * @param string|null $ifNoneMatch the request's If-None-Match header ($_SERVER['HTTP_IF_NONE_MATCH'])
     */
    public function handle(string $method, string $path, array $query, ?string $ifNoneMatch = null): ?Response
    {
        if (!preg_match('#^' . preg_quote($this->path, '#') . '(?:/([^/]*))?/?$#', $path, $m)) {
            return null;
        }
        if ($method !== 'GET' && $method !== 'HEAD') {
            return Response::error(405, 'method_not_allowed', "Method $method is not allowed here; use GET.", null, ['Allow' => 'GET, HEAD']);
        }
        $who = $this->authenticator->authenticate();
        if ($who === null) {
            return Response::error(401, 'unauthorized', 'Sign in first.', null, ['WWW-Authenticate' => 'Bearer realm="stream-events"']);
        }
        $serviceId = null;
        if (isset($m[1])) {
            if (!preg_match('/^[1-9][0-9]{0,17}$/', $m[1])) {
                return Response::error(400, 'invalid_parameter', 'The service id in the path must be a positive integer.', 'id');
            }
            $serviceId = (int) $m[1];
        }
        return $this->respond($who, $serviceId, $query, $method === 'HEAD', $ifNoneMatch);
    }

    /**
     * The answer for a principal the panel has already authenticated: one page
     * as JSON, or with `format` the whole filtered view as a download.
     *
     * $headersOnly (HEAD): the same status and headers, no body; a download's
     * export is opened to know its status, and closed before any row is built.
     *
     * A page carries its cursor as its ETag. $ifNoneMatch naming the store's
     * cursor now is answered 304 from that one lookup, before any query: it
     * says only that nothing at all was logged since, which every page's
     * cursor tells anyone who can read a page, so the filter is judged and
     * the scope checked when there is something to read.
     *
     * @param array<string,mixed> $query the request's query parameters ($_GET)
     */
    public function respond(Principal $who, ?int $serviceId, array $query, bool $headersOnly = false, ?string $ifNoneMatch = null): Response
    {
        try {
            $filter = FilterParameters::toFilter($query, $serviceId);
            $format = self::format($query);
            $bom = self::bom($query, $format);
        } catch (InvalidParameter $e) {
            return Response::error(400, 'invalid_parameter', $e->getMessage(), $e->parameter);
        }
        try {
            $log = ($this->openEventLog)();
        } catch (EventLogException $e) {
            error_log('stream-events: ' . $e->getMessage());
            return Response::error(503, 'unavailable', 'The event store is not available.');
        }
        try {
            if ($format === null) {
                return self::page($log, $who, $filter, $ifNoneMatch);
            }
            $chunks = $log->export($who, $filter, $format); // opens now: errors still get a status
            $filename = DownloadName::of($filter, $format);
            if ($headersOnly) {
                $chunks->close();
            }
            return new Response(200, [
                'Content-Type' => self::FORMATS[$format],
                'Content-Disposition' => "attachment; filename=\"$filename\"",
                'Cache-Control' => 'no-store',
                'X-Content-Type-Options' => 'nosniff',
            ], $headersOnly ? '' : self::cutShortOnFailure($chunks, $filename, $bom ? self::BOM : ''));
        } catch (InvalidArgument $e) {
            $e = FilterParameters::fromLibrary($e);
            return Response::error(400, 'invalid_parameter', $e->getMessage(), $e->parameter);
        } catch (AccessDenied) {
            return Response::error(403, 'access_denied', match (true) {
                isset($filter['serviceId']) => 'You may not see the events of this service.',
                isset($filter['ownerId']) => 'You may not see the events of this customer.',
                default => 'You may not see these events.',
            });
        } catch (NotFound $e) {
            // The library says which: a service, or an account that is no customer.
            return Response::error(404, 'not_found', str_contains($e->getMessage(), 'customer') && !isset($filter['serviceId'])
                ? 'There is no such customer.' : 'There is no such service.');
        } catch (StoreBusy $e) {
            error_log('stream-events: ' . $e->getMessage());
            return Response::error(503, 'store_busy', 'The event store is busy; try again shortly.', null, ['Retry-After' => '1']);
        } catch (StorageError $e) {
            error_log('stream-events: ' . $e->getMessage());
            return Response::error(500, 'storage_error', 'The event store failed; the error has been logged.');
        }
    }

    /** One page: the library's JSON, byte for byte, with its cursor as ETag; or 304. */
    private static function page(EventLog $log, Principal $who, array $filter, ?string $ifNoneMatch): Response
    {
        if ($ifNoneMatch !== null && EntityTag::matches($ifNoneMatch, $cursor = $log->cursor())) {
            return new Response(304, ['ETag' => EntityTag::of($cursor), 'Cache-Control' => 'no-store',
                'X-Content-Type-Options' => 'nosniff'], '');
        }
        $json = $log->queryJson($who, $filter);
        $tag = EntityTag::of(EntityTag::cursorOf($json) ?? '');
        return Response::json(200, $json, $tag === null ? [] : ['ETag' => $tag]);
    }

    /**
     * Headers are gone once the first chunk is out, so a storage failure
     * mid-download can no longer become an error status: log it and end the
     * body rather than print a PHP error into the file. $prefix (the BOM)
     * goes first.
     */
    private static function cutShortOnFailure(iterable $chunks, string $filename, string $prefix): \Generator
    {
        if ($prefix !== '') {
            yield $prefix;
        }
        try {
            yield from $chunks;
        } catch (EventLogException $e) {
            error_log("stream-events: download $filename cut short: " . $e->getMessage());
        }
    }

    private static function format(array $query): ?string
    {
        $format = $query['format'] ?? '';
        if ($format === '') {
            return null;
        }
        if (!is_string($format) || !isset(self::FORMATS[$format])) {
            throw new InvalidParameter('format', 'format must be csv or jsonl (or absent for JSON).');
        }
        return $format;
    }

    /** bom=1 asks for a byte order mark before a CSV; JSON and JSON Lines must never start with one (RFC 8259). */
    private static function bom(array $query, ?string $format): bool
    {
        $bom = $query['bom'] ?? '';
        if ($bom === '' || $bom === '0') {
            return false;
        }
        if ($bom !== '1') {
            throw new InvalidParameter('bom', 'bom must be 1 (a UTF-8 byte order mark before the CSV) or 0.');
        }
        if ($format !== 'csv') {
            throw new InvalidParameter('bom', 'bom goes with format=csv only.');
        }
        return true;
    }
}
