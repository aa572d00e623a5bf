<?php

declare(strict_types=1);

// The demo's classes (StreamEvents\Demo\, PSR-4 from this folder) on top of
// the bridge's. A panel ships php-bridge/src only and never loads this.
require __DIR__ . '/../autoload.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'StreamEvents\\Demo\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
