<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * A DjLoginResolver over a JSON file, for the demo and the tests; a panel
 * implements the interface over its own DJ accounts instead.
 *
 *   {"7": [{"user": "source", "password": "<password>", "name": "Alice"}, …]}
 */
final class DjLoginFile implements DjLoginResolver
{
    /** @param array<string, list<array{user?: string, password?: string, name?: string}>> $services */
    private function __construct(private readonly array $services)
    {
    }

    /** The logins in $path; no path means a panel that knows no logins (every DJ keeps their user name). */
    public static function fromPath(?string $path): self
    {
        return new self($path === null ? [] : CredentialFile::read($path, 'DJ login'));
    }

    public function djNameFor(int $serviceId, string $user, #[\SensitiveParameter] string $password): ?string
    {
        foreach ($this->services[(string) $serviceId] ?? [] as $login) {
            if (is_array($login) && ($login['user'] ?? null) === $user && is_string($login['password'] ?? null)
                && $password !== '' && hash_equals($login['password'], $password) && is_string($login['name'] ?? null) && $login['name'] !== '') {
                return $login['name'];
            }
        }
        return null;
    }
}
