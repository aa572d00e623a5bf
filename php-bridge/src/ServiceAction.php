<?php

declare(strict_types=1);

namespace StreamEvents;

/** What a user or API client did to a service (values are catalog type ids). */
enum ServiceAction: string
{
    case Start = 'service.start';
    case Stop = 'service.stop';
    case Restart = 'service.restart';
    case Suspend = 'service.suspend';
    case Unsuspend = 'service.unsuspend';
    case Remove = 'service.remove';
}
