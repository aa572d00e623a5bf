<?php

declare(strict_types=1);

// Tiny PSR-4 autoloader for the tests, the demo and the maintenance command
// (no Composer here); the panel uses composer.json's PSR-4 mapping instead.
spl_autoload_register(static function (string $class): void {
    $prefix = 'StreamEvents\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
