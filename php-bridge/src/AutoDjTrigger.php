<?php

declare(strict_types=1);

namespace StreamEvents;

/** What put AutoDJ on air. */
enum AutoDjTrigger: string
{
    case Startup = 'startup';
    case DjDisconnect = 'dj_disconnect';
}
