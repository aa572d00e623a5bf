<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** EL_ESCHEMA: not an event store, corrupt, or made by a newer library version; the file is left untouched. */
final class IncompatibleStore extends StorageError
{
}
