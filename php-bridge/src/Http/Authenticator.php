<?php

declare(strict_types=1);

namespace StreamEvents\Http;

use StreamEvents\Principal;

/**
 * The host panel's sign-in, as the controllers see it: the panel
 * authenticates, the event log authorizes. Implement it over the panel's
 * session (the demo's bearer tokens are php-bridge/demo/DemoAuth.php).
 */
interface Authenticator
{
    /** The account signed in for the current request, or null when nobody is. */
    public function authenticate(): ?Principal;
}
