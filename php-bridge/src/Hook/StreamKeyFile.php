<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * A StreamKeyResolver over a JSON file, for the demo and the tests; a panel
 * implements the interface over its own accounts instead.
 *
 *   {"108": {"station": "<playout key>", "djs": {"<key>": "Morning Show", …}}}
 */
final class StreamKeyFile implements StreamKeyResolver
{
    /** @param array<string, array{station?: string, djs?: array<string, string>}> $services */
    private function __construct(private readonly array $services)
    {
    }

    /** The keys in $path; no path means a panel that knows no keys (every publisher is unknown). */
    public static function fromPath(?string $path): self
    {
        return new self($path === null ? [] : CredentialFile::read($path, 'stream key'));
    }

    public function djNameFor(int $serviceId, #[\SensitiveParameter] string $key): ?string
    {
        $name = $this->services[(string) $serviceId]['djs'][$key] ?? null;
        return is_string($name) && $name !== '' ? $name : null;
    }

    public function isStationSource(int $serviceId, #[\SensitiveParameter] string $key): bool
    {
        $station = $this->services[(string) $serviceId]['station'] ?? null;
        return is_string($station) && $key !== '' && hash_equals($station, $key);
    }
}
