<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** EL_EINVAL: a malformed argument (filter, principal, options, directory). */
class InvalidArgument extends EventLogException
{
}
