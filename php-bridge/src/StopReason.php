<?php

declare(strict_types=1);

namespace StreamEvents;

/** Why the system stopped a service on its own. */
enum StopReason: string
{
    case AccountExpired = 'account_expired';
    case Suspended = 'suspended';
}
