<?php

declare(strict_types=1);

namespace StreamEvents;

use StreamEvents\Exception\InvalidArgument;

/**
 * How much of an allowance a service used, e.g. bandwidth used against its
 * monthly limit, or disk used against its quota. A suspension carries it as
 * details.used, details.limit and details.unit, which the pages list with
 * the event and exports keep.
 *
 *   new Usage(used: 1210, limit: 1000, unit: 'GB')
 */
final class Usage
{
    public function __construct(
        public readonly int|float $used,
        public readonly int|float $limit,
        public readonly string $unit,
    ) {
        foreach (['used' => $used, 'limit' => $limit] as $name => $value) {
            if (!is_finite((float) $value) || $value < 0) {
                throw new InvalidArgument("Usage: $name must be a finite number of at least 0, not $value.");
            }
        }
        if (trim($unit) === '') {
            throw new InvalidArgument('Usage: unit must name the unit of used and limit, e.g. "GB".');
        }
    }

    /** @return array{used: int|float, limit: int|float, unit: string} the event's details keys */
    public function toDetails(): array
    {
        return ['used' => $this->used, 'limit' => $this->limit, 'unit' => $this->unit];
    }
}
