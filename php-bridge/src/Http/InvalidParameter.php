<?php

declare(strict_types=1);

namespace StreamEvents\Http;

/** A query parameter the controller refuses; answered as 400 naming it. */
final class InvalidParameter extends \InvalidArgumentException
{
    public function __construct(public readonly string $parameter, string $message)
    {
        parent::__construct($message);
    }
}
