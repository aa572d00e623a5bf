<?php

declare(strict_types=1);

namespace StreamEvents\Http;

/** A query parameter (or the path's id) the request cannot be answered with; a 400 naming it. */
final class InvalidParameter extends \InvalidArgumentException
{
    /** @param string|null $parameter null only when the library named no input it knows */
    public function __construct(public readonly ?string $parameter, string $message)
    {
        parent::__construct($message);
    }
}
