<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/** The shared object or its FFI header could not be loaded, or its ABI version does not match the header. */
final class LibraryError extends EventLogException
{
}
