<?php

declare(strict_types=1);

namespace StreamEvents\Http;

/**
 * A page's cursor as its HTTP validator: ETag "<cursor>". The cursor changes
 * whenever anything is logged, so a client whose tag is still the store's
 * cursor has seen everything there is, and the answer is 304.
 */
final class EntityTag
{
    /** The ETag header value for $cursor, or null when the token cannot be written as one. */
    public static function of(string $cursor): ?string
    {
        // entity-tag characters (RFC 9110 8.8.3): visible ASCII except the double quote.
        return preg_match('/^[\x21\x23-\x7e]+$/', $cursor) === 1 ? "\"$cursor\"" : null;
    }

    /** Whether an If-None-Match header names $cursor (weak comparison, as RFC 9110 13.1.2 asks). */
    public static function matches(?string $ifNoneMatch, string $cursor): bool
    {
        if ($ifNoneMatch === null || self::of($cursor) === null) {
            return false;
        }
        preg_match_all('#(?:W/)?"([\x21\x23-\x7e]*)"#', $ifNoneMatch, $m);
        return in_array($cursor, $m[1], true);
    }

    /** The cursor of a page the library wrote as JSON; its last member, so the page need not be decoded. */
    public static function cursorOf(string $pageJson): ?string
    {
        if (preg_match('/"cursor":("[\x21\x23-\x5b\x5d-\x7e]*")\}\s*$/', $pageJson, $m) === 1) {
            return json_decode($m[1]);
        }
        $page = json_decode($pageJson, true);
        return is_string($page['cursor'] ?? null) ? $page['cursor'] : null;
    }
}
