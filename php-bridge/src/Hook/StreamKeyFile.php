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
        if ($path === null) {
            return new self([]);
        }
        $json = @file_get_contents($path);
        if ($json === false) {
            throw new \RuntimeException("Cannot read the stream key file $path.");
        }
        try {
            $services = json_decode($json, true, 8, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            // The message names the file, not its content: the content is credentials.
            throw new \RuntimeException("The stream key file $path is not valid JSON.");
        }
        if (!is_array($services)) {
            throw new \RuntimeException("The stream key file $path must hold an object of services.");
        }
        return new self($services);
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
