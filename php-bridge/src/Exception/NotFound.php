<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** EL_ENOTFOUND: the directory does not know the service (and, for an admin, it has no events). */
final class NotFound extends EventLogException
{
}
