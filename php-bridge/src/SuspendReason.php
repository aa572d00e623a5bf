<?php

declare(strict_types=1);

namespace StreamEvents;

/** Why the system suspended a service on its own. */
enum SuspendReason: string
{
    case Disk = 'disk';
    case Bandwidth = 'bandwidth';
    case ResellerTransfer = 'reseller_transfer';
}
