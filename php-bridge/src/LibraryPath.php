<?php

declare(strict_types=1);

namespace StreamEvents;

/**
 * Where libeventlog.so is: the one place that decides it, for the bridge,
 * its commands, the demo and every test runner (the shell runners ask this
 * class through php-bridge/library.sh).
 *
 * A panel installs the library anywhere (e.g. /usr/local/lib/libeventlog.so)
 * and points STREAM_EVENTS_LIB at it (FPM: env[STREAM_EVENTS_LIB] in the
 * pool); without it, the build output of this checkout (`make build`) is used.
 */
final class LibraryPath
{
    public const ENV = 'STREAM_EVENTS_LIB';
    /** Where `make build` puts the library, relative to the repository. */
    public const BUILD_OUTPUT = '.build/release/libeventlog.so';

    /** $explicit when given, else STREAM_EVENTS_LIB, else this checkout's build output. */
    public static function resolve(?string $explicit = null): string
    {
        if ($explicit !== null && $explicit !== '') {
            return $explicit;
        }
        $fromEnv = getenv(self::ENV);
        return is_string($fromEnv) && $fromEnv !== '' ? $fromEnv : dirname(__DIR__, 2) . '/' . self::BUILD_OUTPUT;
    }
}
