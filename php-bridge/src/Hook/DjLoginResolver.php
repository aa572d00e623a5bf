<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * The panel's answer to "which DJ logs in with these credentials?", for DJs
 * whose software logs in to Liquidsoap's harbor with a shared user (often
 * "source") and a password of their own.
 *
 * The password is a credential: the bridge passes it here and nowhere else.
 * It never reaches the event store, the hooks' session files, a page, an
 * export or a log line.
 */
interface DjLoginResolver
{
    /** The name the panel shows for the DJ who logs in as $user with $password, or null for a login it does not know. */
    public function djNameFor(int $serviceId, string $user, #[\SensitiveParameter] string $password): ?string;
}
