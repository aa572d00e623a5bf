<?php

declare(strict_types=1);

/*
 * opcache.preload script for PHP-FPM (and php-cgi / php -S).
 *
 * With ffi.enable=preload (PHP's default outside the CLI), the FFI API may
 * only be called from code that was preloaded. Loading every class of the
 * bridge here marks it preloaded, so EventLog can call FFI::cdef() at run
 * time without enabling FFI for every script (ffi.enable=1 would let any
 * PHP file call into any C library). Nothing is opened here: preloading runs
 * once in the FPM master, and a store handle must not cross fork().
 *
 * php.ini (see php.ini.example):
 *   opcache.preload=/path/to/php-bridge/preload.php
 *   opcache.preload_user=www-data
 *   ffi.enable=preload
 */

require __DIR__ . '/autoload.php';

$src = __DIR__ . '/src';
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($src, FilesystemIterator::SKIP_DOTS));
foreach ($files as $file) {
    if ($file->getExtension() !== 'php') {
        continue;
    }
    $class = 'StreamEvents\\' . str_replace('/', '\\', substr($file->getPathname(), strlen($src) + 1, -4));
    // Autoloading (not opcache_compile_file) links parents and interfaces
    // first. A file that is not a class (a template) is simply not preloaded.
    class_exists($class) || interface_exists($class) || enum_exists($class);
}
