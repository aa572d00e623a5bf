<?php

declare(strict_types=1);

namespace StreamEvents;

/** What was done to a service's source (AutoDJ/relay); values are catalog type ids. */
enum SourceAction: string
{
    case Start = 'source.start';
    case Stop = 'source.stop';
    case Restart = 'source.restart';
}
