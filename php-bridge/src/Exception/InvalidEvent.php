<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** EL_EINVAL from log()/logBatch(): the event failed validation; nothing was stored. */
final class InvalidEvent extends InvalidArgument
{
}
