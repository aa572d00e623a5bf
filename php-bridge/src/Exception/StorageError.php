<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** EL_EIO, EL_ERROR, EL_EMISUSE, EL_ENOMEM and the finer storage failures below: the store could not do its job. */
class StorageError extends EventLogException
{
}
