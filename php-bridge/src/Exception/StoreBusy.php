<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** EL_EBUSY: the store stayed locked longer than busyTimeoutMs; retrying later may succeed. */
final class StoreBusy extends StorageError
{
}
