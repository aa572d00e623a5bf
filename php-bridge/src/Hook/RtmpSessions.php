<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * Each TV station's live publishers between callbacks, in the hooks' session
 * files (one per service, `rtmp-<id>.json`). It holds client ids, DJ names,
 * addresses and keyed fingerprints of streams; never a stream key.
 */
final class RtmpSessions
{
    public function __construct(private readonly SessionFiles $files)
    {
    }

    public static function forStore(#[\SensitiveParameter] string $storePath): self
    {
        return new self(SessionFiles::forStore($storePath));
    }

    /**
     * Runs $change on the service's station under its lock, then keeps the
     * station as $change left it; returns what $change returns.
     *
     * @template T
     * @param \Closure(RtmpStation): T $change
     * @return T
     */
    public function update(int $serviceId, \Closure $change): mixed
    {
        return $this->files->update("rtmp-$serviceId", static function (array &$data) use ($change): mixed {
            $station = RtmpStation::fromArray($data);
            $result = $change($station);
            $data = $station->toArray();
            return $result;
        });
    }
}
