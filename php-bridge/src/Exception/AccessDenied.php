<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** EL_EDENIED: the principal may not see the service it asked for. */
final class AccessDenied extends EventLogException
{
}
