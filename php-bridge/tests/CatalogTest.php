<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

use PHPUnit\Framework\TestCase;
use StreamEvents\Actor;
use StreamEvents\AutoDjTrigger;
use StreamEvents\EventLog;
use StreamEvents\EventType;
use StreamEvents\StopReason;
use StreamEvents\SuspendReason;

/**
 * The library's catalog (el_catalog) is the one source of types, categories,
 * labels, actor types, reasons and limits. Adding an event type is one edit
 * in the Swift catalog; this test then names every place outside the library
 * that is still behind it (and EventsTest every type, or required field, that
 * no typed helper logs). The pages take the catalog from the library at run
 * time and need no edit.
 */
final class CatalogTest extends TestCase
{
    private static array $catalog;

    public static function setUpBeforeClass(): void
    {
        self::$catalog = EventLog::catalog();
    }

    public function testEveryPlaceOutsideTheLibraryFollowsItsCatalog(): void
    {
        $c = self::$catalog;
        $types = array_column($c['types'], 'category', 'id'); // id => category
        $categories = array_column($c['categories'], 'id');
        $behind = [];
        $compare = static function (string $place, array $have, array $want) use (&$behind): void {
            $missing = array_diff($want, $have);
            $extra = array_diff($have, $want);
            if ($missing !== [] || $extra !== []) {
                $behind[] = $place . ($missing ? ' lacks ' . implode(', ', $missing) : '') . ($missing && $extra ? ';' : '')
                    . ($extra ? ' has ' . implode(', ', $extra) . ', which the library does not' : '');
            }
        };

        $compare('src/EventType.php (cases)', array_map(static fn (EventType $t) => $t->value, EventType::cases()), array_keys($types));
        foreach (EventType::cases() as $type) {
            if (isset($types[$type->value]) && $type->category() !== $types[$type->value]) {
                $behind[] = "src/EventType.php: {$type->value} is in category {$type->category()}, the library's {$types[$type->value]}";
            }
        }
        $compare('src/SuspendReason.php', array_column(SuspendReason::cases(), 'value'), $c['reasons']['service.suspend'] ?? []);
        $compare('src/StopReason.php', array_column(StopReason::cases(), 'value'), $c['reasons']['service.stop'] ?? []);
        $compare('src/AutoDjTrigger.php', array_column(AutoDjTrigger::cases(), 'value'), $c['autoDJTriggers']);
        foreach ($c['actorTypes'] as $actorType) {
            if (!method_exists(Actor::class, $actorType)) {
                $behind[] = "src/Actor.php has no Actor::$actorType()";
            }
        }

        $api = self::openApi();
        $schemas = $api['components']['schemas'];
        $parameters = $api['components']['parameters'];
        $compare('openapi.yaml (EventType enum)', $schemas['EventType']['enum'], array_keys($types));
        $compare('openapi.yaml (Category enum)', $schemas['Category']['enum'], $categories);
        $compare('openapi.yaml (category parameter)', $parameters['category']['schema']['enum'], ['all', ...$categories]);
        $compare('openapi.yaml (ActorType enum)', $schemas['ActorType']['enum'], $c['actorTypes']);
        $limits = [
            'per_page maximum' => [$parameters['perPage']['schema']['maximum'], $c['limits']['maxPerPage']],
            'per_page default' => [$parameters['perPage']['schema']['default'], $c['limits']['defaultPerPage']],
            'page maximum' => [$parameters['page']['schema']['maximum'], $c['limits']['maxPage']],
            'LogPage perPage maximum' => [$schemas['LogPage']['properties']['perPage']['maximum'], $c['limits']['maxPerPage']],
        ];
        foreach ($limits as $what => [$have, $want]) {
            if ($have !== $want) {
                $behind[] = "openapi.yaml ($what): $have, the library's $want";
            }
        }
        if (!str_contains($parameters['q']['description'], "{$c['limits']['queryBytes']} bytes")) {
            $behind[] = "openapi.yaml (q): does not say the library's limit of {$c['limits']['queryBytes']} bytes";
        }

        require_once dirname(__DIR__, 2) . '/bench/Rows.php';
        foreach ((new \ReflectionClassConstant(\StreamEvents\Bench\Rows::class, 'TYPES'))->getValue() as [$id, , $category]) {
            if (($types[$id] ?? null) !== $category) {
                $behind[] = "bench/Rows.php: $id in category $category; the library has " . (isset($types[$id]) ? "it in {$types[$id]}" : 'no such type');
            }
        }

        $css = (string) file_get_contents(dirname(__DIR__) . '/public/assets/stream-events.css');
        $compare('public/assets/stream-events.css (a .se-cat-* badge per category)',
            preg_match_all('/\.se-cat-([a-z0-9_]+)\b/', $css, $m) ? array_unique($m[1]) : [], $categories);
        $js = (string) file_get_contents(dirname(__DIR__) . '/public/assets/stream-events.js');
        foreach (array_keys($types) as $id) {
            if (preg_match('/[\'"]' . preg_quote($id, '/') . '[\'"]/', $js)) {
                $behind[] = "public/assets/stream-events.js names $id: the page takes the catalog from its config";
            }
        }

        self::assertSame([], $behind, "Behind the library's catalog:\n  " . implode("\n  ", $behind));
    }

    public function testTheCatalogHoldsWhatThePagesAndTheApiUse(): void
    {
        $c = self::$catalog;
        self::assertNotEmpty($c['categories']);
        foreach ($c['types'] as $type) {
            self::assertSame(['id', 'label', 'category'], array_keys(array_intersect_key($type, ['id' => 0, 'label' => 0, 'category' => 0])), $type['id'] ?? '');
            self::assertContains($type['category'], array_column($c['categories'], 'id'), $type['id']);
            self::assertNotSame('', $type['label']);
        }
        self::assertSame($c, EventLog::catalog(Fixture::library()), 'one catalog per library');
    }

    /** php-bridge/openapi.yaml as data (PHP has no YAML parser here; the OpenAPI check's Python has one). */
    private static function openApi(): array
    {
        $json = shell_exec('python3 -c ' . escapeshellarg('import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)')
            . ' ' . escapeshellarg(dirname(__DIR__) . '/openapi.yaml'));
        self::assertIsString($json, 'python3 with PyYAML reads openapi.yaml (make deps)');
        return json_decode($json, true, 512, JSON_THROW_ON_ERROR);
    }
}
