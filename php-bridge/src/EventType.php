<?php

declare(strict_types=1);

namespace StreamEvents;

/** The event catalog's stable type ids, for typed logging; the library's catalog (EventLog::catalog()) is the source. */
enum EventType: string
{
    case ServiceStart = 'service.start';
    case ServiceStop = 'service.stop';
    case ServiceRestart = 'service.restart';
    case ServiceSuspend = 'service.suspend';
    case ServiceUnsuspend = 'service.unsuspend';
    case ServiceRemove = 'service.remove';
    case ServiceConfigUpdate = 'service.config_update';
    case ServiceTitleUpdate = 'service.title_update';
    case ServiceBitrateWarning = 'service.bitrate_warning';
    case SourceStart = 'source.start';
    case SourceStop = 'source.stop';
    case SourceRestart = 'source.restart';
    case DjConnect = 'dj.connect';
    case DjDisconnect = 'dj.disconnect';
    case DjOnAir = 'dj.on_air';
    case DjKicked = 'dj.kicked';
    case AutoDjOnAir = 'autodj.on_air';
    case MountConnect = 'mount.connect';
    case MountDisconnect = 'mount.disconnect';

    public function category(): string
    {
        return strstr($this->value, '.', true);
    }
}
