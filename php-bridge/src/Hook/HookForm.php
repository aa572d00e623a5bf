<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/** The form fields a stream server posts to a hook. */
final class HookForm
{
    /** A string field, '' when absent; arrays (field[]=...) are refused. */
    public static function field(array $post, string $name): string
    {
        $value = $post[$name] ?? '';
        if (!is_string($value)) {
            throw new InvalidHookRequest("The field '$name' must be a single value.");
        }
        return trim($value);
    }
}
