<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

/**
 * The pages' words: one flat JSON file of strings per language in a folder
 * (public/assets/i18n: en.json, de.json), labels, sentence templates and page
 * text alike. A panel copies en.json to its own language and points the page
 * at its folder. English is the fallback for any key a file lacks.
 */
final class Strings
{
    public const FALLBACK = 'en';

    public function __construct(public readonly string $directory = __DIR__ . '/../../public/assets/i18n')
    {
    }

    /** @return list<string> the languages there are files for, e.g. ["de", "en"] */
    public function languages(): array
    {
        $languages = [];
        foreach (glob($this->directory . '/*.json') ?: [] as $file) {
            $name = basename($file, '.json');
            if (preg_match('/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/', $name)) {
                $languages[] = $name;
            }
        }
        sort($languages);
        return $languages;
    }

    /**
     * The language to show for a viewer: $wanted is a panel's own setting
     * ("de") or a request's Accept-Language ("de-AT,de;q=0.9,en;q=0.8");
     * the first one there is a file for, by region or by base language.
     */
    public function pick(string $wanted): string
    {
        $available = $this->languages();
        $byLower = array_combine(array_map('strtolower', $available), $available);
        $ranked = [];
        foreach (explode(',', $wanted) as $i => $part) {
            $fields = explode(';', trim($part));
            $tag = strtolower(str_replace('_', '-', trim($fields[0])));
            $q = preg_match('/^\s*q=([01](?:\.\d{0,3})?)\s*$/', $fields[1] ?? 'q=1', $m) ? (float) $m[1] : 0.0;
            if ($tag !== '' && $tag !== '*' && $q > 0) {
                $ranked[] = [$q, -$i, $tag];
            }
        }
        rsort($ranked);
        foreach ($ranked as [, , $tag]) {
            $base = explode('-', $tag)[0];
            if (isset($byLower[$tag]) || isset($byLower[$base])) {
                return $byLower[$tag] ?? $byLower[$base];
            }
        }
        return self::FALLBACK;
    }

    /** @return array<string,string> every string of $language, English where it has none */
    public function load(string $language): array
    {
        $strings = $this->file(self::FALLBACK);
        if ($language !== self::FALLBACK && in_array($language, $this->languages(), true)) {
            $strings = $this->file($language) + $strings;
        }
        return $strings;
    }

    /** @return array<string,string> one language's file as it is */
    public function file(string $language): array
    {
        $path = $this->directory . '/' . $language . '.json';
        $json = @file_get_contents($path);
        if ($json === false) {
            throw new \RuntimeException("Cannot read the strings file $path.");
        }
        $strings = json_decode($json, true, 2);
        if (!is_array($strings) || array_filter($strings, 'is_string') !== $strings) {
            throw new \RuntimeException("$path must be one JSON object of strings.");
        }
        return $strings;
    }
}
