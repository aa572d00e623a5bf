<?php

declare(strict_types=1);

namespace StreamEvents;

/**
 * The signed-in account, as authenticated by the host panel. The library
 * decides what it may see from the directory; this only carries who it is.
 */
final class Principal
{
    public const ROLES = ['admin', 'reseller', 'customer'];

    private function __construct(
        public readonly string $role,
        public readonly int $id,
    ) {
    }

    public static function admin(int $id): self
    {
        return self::of('admin', $id);
    }

    public static function reseller(int $id): self
    {
        return self::of('reseller', $id);
    }

    public static function customer(int $id): self
    {
        return self::of('customer', $id);
    }

    public static function of(string $role, int $id): self
    {
        if (!in_array($role, self::ROLES, true)) {
            throw new \InvalidArgumentException("Unknown principal role \"$role\" (expected admin, reseller or customer).");
        }
        if ($id < 1) {
            throw new \InvalidArgumentException("Principal id must be a positive integer, got $id.");
        }
        return new self($role, $id);
    }

    public function toJson(): string
    {
        return json_encode(['role' => $this->role, 'id' => $this->id], JSON_THROW_ON_ERROR);
    }
}
