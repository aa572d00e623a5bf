<?php

declare(strict_types=1);

namespace StreamEvents\Http;

use StreamEvents\Exception\InvalidArgument;

/**
 * The query parameters of /controller/EventLog and the library filter keys
 * they stand for, both ways.
 *
 * The library is the one judge of a filter: values pass through as given,
 * renamed, with the type list split and digits turned into numbers (HTTP has
 * only strings). What is refused here never reaches the library: a parameter
 * that does not exist (named, with the spelling that was probably meant), a
 * value given as a list where one is expected, a service_id that contradicts
 * the path.
 */
final class FilterParameters
{
    /** HTTP parameter => library filter key. */
    public const FILTER_KEYS = [
        'category' => 'category', 'type' => 'types', 'service_id' => 'serviceId', 'customer_id' => 'ownerId', 'actor' => 'actor',
        'from' => 'from', 'to' => 'to', 'q' => 'q', 'page' => 'page', 'per_page' => 'perPage',
        // An earlier page's cursor: only what was logged since (a live page's poll).
        'after' => 'after',
    ];
    /** Parameters that are not part of the filter: the controller's own. */
    public const OTHER = ['format', 'bom'];

    private const NUMBERS = ['service_id', 'customer_id', 'page', 'per_page', 'from'];

    /**
     * The library filter for a request's query parameters ($_GET). An empty
     * value is an absent one; a date as `to` means the end of that day (UTC),
     * since `to` is exclusive and "to 2026-11-27" reads as including the 27th.
     *
     * @return array<string,mixed>
     * @throws InvalidParameter
     */
    public static function toFilter(array $query, ?int $pathServiceId = null): array
    {
        $filter = [];
        foreach ($query as $name => $value) {
            $name = (string) $name;
            if (in_array($name, self::OTHER, true)) {
                continue;
            }
            if (!isset(self::FILTER_KEYS[$name])) {
                $shown = self::clip($name);
                $meant = self::meant($name);
                throw new InvalidParameter($shown, "$shown is not a parameter of this API; "
                    . ($meant !== null ? "did you mean $meant?" : 'the parameters are ' . implode(', ', self::names()) . '.'));
            }
            $value = match ($name) {
                'type' => self::types($value),
                'q' => trim(self::single($name, $value)),
                default => self::single($name, $value),
            };
            if ($value === '' || $value === []) {
                continue;
            }
            $filter[self::FILTER_KEYS[$name]] = match (true) {
                $name === 'to' => self::endOfDay($value),
                in_array($name, self::NUMBERS, true) => self::number($value),
                default => $value,
            };
        }
        if ($pathServiceId !== null) {
            if (isset($filter['serviceId']) && $filter['serviceId'] !== $pathServiceId) {
                throw new InvalidParameter('service_id', 'service_id contradicts the service in the path.');
            }
            $filter['serviceId'] = $pathServiceId;
        }
        return $filter;
    }

    /**
     * The library's refusal of a filter in HTTP terms: its messages begin
     * with the filter key ("perPage must be an integer from 1 to 500"), which
     * becomes the parameter's name ("per_page must be …").
     */
    public static function fromLibrary(InvalidArgument $e): InvalidParameter
    {
        $message = $e->libraryMessage();
        if (preg_match('/^[A-Za-z]+/', $message, $m) && ($parameter = array_search($m[0], self::FILTER_KEYS, true)) !== false) {
            return new InvalidParameter($parameter, $parameter . substr($message, strlen($m[0])));
        }
        return new InvalidParameter(null, $message);
    }

    /** @return list<string> every parameter of the API */
    public static function names(): array
    {
        return array_merge(array_keys(self::FILTER_KEYS), self::OTHER);
    }

    /** The parameter an unknown one most likely stands for, if any. */
    private static function meant(string $name): ?string
    {
        $parameter = array_search($name, self::FILTER_KEYS, true); // the library's spelling: perPage, types
        if ($parameter !== false) {
            return $parameter;
        }
        $folded = strtolower(str_replace(['_', '-'], '', $name));
        [$meant, $best] = [null, 3];
        foreach (self::names() as $candidate) {
            if ($folded === str_replace('_', '', $candidate)) {
                return $candidate; // another case or separator: serviceId, Per-Page
            }
            $distance = levenshtein(strtolower($name), $candidate);
            // A typo (categroy), not another short word (x for q).
            if ($distance < $best && 2 * $distance < strlen($name)) {
                [$meant, $best] = [$candidate, $distance];
            }
        }
        return $meant;
    }

    /** A single-valued parameter; type[]-style lists are refused. */
    private static function single(string $name, mixed $value): string
    {
        if (!is_string($value)) {
            throw new InvalidParameter($name, "$name must be given once, as a single value.");
        }
        return $value;
    }

    /** type=a,b or type[]=a&type[]=b, as a list without blanks or repeats. @return list<string> */
    private static function types(mixed $raw): array
    {
        $types = [];
        foreach (is_array($raw) ? $raw : [$raw] as $item) {
            if (!is_string($item)) {
                throw new InvalidParameter('type', 'type must be a comma-separated list of event type ids.');
            }
            foreach (explode(',', $item) as $type) {
                if (trim($type) !== '') {
                    $types[trim($type)] = true;
                }
            }
        }
        return array_keys($types);
    }

    /** Digits are a number (an id, a page, unix ms); anything else goes to the library as it is. */
    private static function number(string $value): int|string
    {
        return preg_match('/^[0-9]{1,18}$/', $value) ? (int) $value : $value;
    }

    /** A calendar date as `to` becomes the next day; anything else is as for from. */
    private static function endOfDay(string $to): int|string
    {
        if (preg_match('/^([0-9]{4})-([0-9]{2})-([0-9]{2})$/', $to, $d) && checkdate((int) $d[2], (int) $d[3], (int) $d[1])) {
            return (new \DateTimeImmutable($to . 'T00:00:00', new \DateTimeZone('UTC')))->modify('+1 day')->format('Y-m-d');
        }
        return self::number($to);
    }

    /** Echoes client input: at most 64 characters, valid UTF-8. */
    private static function clip(string $value): string
    {
        $value = preg_match('//u', $value) === 1 ? $value : (string) preg_replace('/[^\x20-\x7e]/', '?', $value);
        return preg_match('/^.{65}/us', $value) === 1 ? preg_replace('/^(.{60}).*$/us', '$1…', $value) : $value;
    }
}
