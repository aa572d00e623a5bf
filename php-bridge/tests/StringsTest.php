<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\EventLog;
use StreamEvents\Ui\Strings;

/**
 * The pages' strings (public/assets/i18n): English names everything the
 * library's catalog has, and every other language every English key, with
 * the same placeholders. A failure names every key that is missing.
 */
final class StringsTest extends TestCase
{
    public function testEveryLanguageHasEveryStringOfTheCatalogAndOfEnglish(): void
    {
        $strings = new Strings();
        $catalog = EventLog::catalog();
        $english = $strings->file('en');
        $needed = ['category.all'];
        foreach ($catalog['categories'] as $c) {
            $needed[] = "category.{$c['id']}";
        }
        foreach ($catalog['types'] as $t) {
            array_push($needed, "type.{$t['id']}", "sentence.{$t['id']}");
        }
        foreach ($catalog['actorTypes'] as $a) {
            $needed[] = "actor.$a";
        }
        foreach ($catalog['reasons'] as $reasons) {
            foreach ($reasons as $r) {
                $needed[] = "reason.$r";
            }
        }
        $missing = [];
        $languages = $strings->languages();
        $this->assertContains('en', $languages);
        $this->assertGreaterThanOrEqual(2, count($languages), 'English and at least one other language');
        foreach ($languages as $language) {
            $have = $strings->file($language);
            foreach (array_unique(array_merge($needed, array_keys($english))) as $key) {
                if (!isset($have[$key]) || trim($have[$key]) === '' && trim($english[$key] ?? '') !== '') {
                    $missing[] = "$language.json lacks $key";
                } elseif (isset($english[$key]) && self::placeholders($have[$key]) !== self::placeholders($english[$key])) {
                    $missing[] = "$language.json: $key has " . implode(' ', self::placeholders($have[$key]))
                        . ', English ' . implode(' ', self::placeholders($english[$key]));
                }
            }
            foreach (array_diff(array_keys($have), array_keys($english)) as $extra) {
                $missing[] = "$language.json has $extra, which English does not";
            }
        }
        $this->assertSame([], $missing, "Strings behind the catalog or behind English:\n  " . implode("\n  ", $missing));
    }

    public function testALanguageFileLacksNothingItCanFallBackOn(): void
    {
        $dir = Fixture::tempDir();
        copy((new Strings())->directory . '/en.json', "$dir/en.json");
        file_put_contents("$dir/fr.json", json_encode(['page.title' => 'Événements']));
        file_put_contents("$dir/not a language.json", '{}');
        $strings = new Strings($dir);
        $this->assertSame(['en', 'fr'], $strings->languages());
        $this->assertSame('fr', $strings->pick('fr-CA'));
        $fr = $strings->load('fr');
        $this->assertSame(['Événements', 'Export CSV'], [$fr['page.title'], $fr['page.export']]);
        file_put_contents("$dir/fr.json", '{"page.title": ["not", "a string"]}');
        $this->expectException(\RuntimeException::class);
        $strings->load('fr');
    }

    /** @return list<string> */
    private static function placeholders(string $text): array
    {
        preg_match_all('/\{[A-Za-z]+\}/', $text, $m);
        $found = array_unique($m[0]);
        sort($found);
        return $found;
    }
}
