<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/** A hook call the bridge cannot turn into an event (unknown action, missing field): HTTP 400. */
final class InvalidHookRequest extends \InvalidArgumentException
{
}
