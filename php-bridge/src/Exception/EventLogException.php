<?php

declare(strict_types=1);

namespace StreamEvents\Exception;

/**
 * Base of every error the bridge raises. getCode() is the library's EL_*
 * status (negative), or 0 when the failure happened in PHP before any call.
 */
abstract class EventLogException extends \RuntimeException
{
    public const EL_ERROR = -1;
    public const EL_EINVAL = -2;
    public const EL_EDENIED = -3;
    public const EL_ENOTFOUND = -4;
    public const EL_EBUSY = -5;
    public const EL_EIO = -6;
    public const EL_EMISUSE = -7;
    public const EL_ESCHEMA = -8;
    public const EL_ENOMEM = -9;

    private const NAMES = [
        self::EL_ERROR => 'EL_ERROR', self::EL_EINVAL => 'EL_EINVAL', self::EL_EDENIED => 'EL_EDENIED',
        self::EL_ENOTFOUND => 'EL_ENOTFOUND', self::EL_EBUSY => 'EL_EBUSY', self::EL_EIO => 'EL_EIO',
        self::EL_EMISUSE => 'EL_EMISUSE', self::EL_ESCHEMA => 'EL_ESCHEMA', self::EL_ENOMEM => 'EL_ENOMEM',
    ];

    /** el_errmsg() of the failed call, when the library said it. */
    private ?string $libraryMessage = null;

    /**
     * The exception for a failed call. $isEventInput: EL_EINVAL on el_log /
     * el_log_batch means the event itself was bad (InvalidEvent), elsewhere a
     * bad argument (InvalidArgument).
     */
    public static function fromStatus(int $status, string $errmsg, string $call, bool $isEventInput = false): self
    {
        $message = sprintf('%s failed (%s): %s', $call, self::NAMES[$status] ?? "status $status",
            $errmsg !== '' ? $errmsg : 'no message from the library');
        $e = match ($status) {
            self::EL_EINVAL => $isEventInput ? new InvalidEvent($message, $status) : new InvalidArgument($message, $status),
            self::EL_EDENIED => new AccessDenied($message, $status),
            self::EL_ENOTFOUND => new NotFound($message, $status),
            self::EL_EBUSY => new StoreBusy($message, $status),
            self::EL_ESCHEMA => new IncompatibleStore($message, $status),
            default => new StorageError($message, $status),
        };
        $e->libraryMessage = $errmsg !== '' ? $errmsg : null;
        return $e;
    }

    /**
     * The library's own words (el_errmsg), without the call and status; for a
     * failure in PHP before any call, the message. A message about an input
     * begins with the input's key, e.g. "perPage must be an integer from 1 to 500".
     */
    public function libraryMessage(): string
    {
        return $this->libraryMessage ?? $this->getMessage();
    }

    /** Symbolic name of the status, e.g. "EL_EDENIED" ("" for PHP-side failures). */
    public function statusName(): string
    {
        return self::NAMES[$this->getCode()] ?? '';
    }
}
