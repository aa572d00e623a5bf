<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/** The JSON file behind the demo's resolvers (stream keys, DJ logins): its content is credentials, never quoted. */
final class CredentialFile
{
    /** @return array<string, mixed> the services' entries, by service id */
    public static function read(string $path, string $what): array
    {
        $json = @file_get_contents($path);
        if ($json === false) {
            throw new \RuntimeException("Cannot read the $what file $path.");
        }
        try {
            $services = json_decode($json, true, 8, JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            // The message names the file, not its content: the content is credentials.
            throw new \RuntimeException("The $what file $path is not valid JSON.");
        }
        if (!is_array($services)) {
            throw new \RuntimeException("The $what file $path must hold an object of services.");
        }
        return $services;
    }
}
