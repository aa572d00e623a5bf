<?php

declare(strict_types=1);

namespace StreamEvents;

/** Who did it: a panel user, an API client, a DJ, or the system itself. */
final class Actor
{
    private function __construct(
        public readonly string $type,
        public readonly ?int $id,
        public readonly ?string $name,
    ) {
    }

    public static function user(int $id, string $name): self
    {
        return new self('user', $id, $name);
    }

    public static function api(int $id, string $name): self
    {
        return new self('api', $id, $name);
    }

    public static function dj(string $name): self
    {
        return new self('dj', null, $name);
    }

    public static function system(): self
    {
        return new self('system', null, null);
    }

    /** @return array{type: string, id: ?int, name: ?string} the event's "actor" */
    public function toArray(): array
    {
        return ['type' => $this->type, 'id' => $this->id, 'name' => $this->name];
    }
}
