<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * The panel's answer to "who publishes with this RTMP stream key?".
 *
 * A stream key is a credential: the bridge passes it here and nowhere else.
 * It never reaches the event store, a page, an export or a log line.
 */
interface StreamKeyResolver
{
    /** The name the panel shows for the presenter (DJ) who publishes with $key, or null for a key it does not know. */
    public function djNameFor(int $serviceId, #[\SensitiveParameter] string $key): ?string;

    /** Whether $key is the station's own playout or relay push (its playlist), rather than a live presenter. */
    public function isStationSource(int $serviceId, #[\SensitiveParameter] string $key): bool;
}
