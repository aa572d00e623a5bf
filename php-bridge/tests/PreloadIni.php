<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/** php.ini.example with its paths pointed at this checkout and user: the servers run as under FPM. */
final class PreloadIni
{
    public static function write(): string
    {
        $example = file_get_contents(dirname(__DIR__) . '/php.ini.example');
        $user = posix_getpwuid(posix_geteuid())['name'];
        $ini = preg_replace(
            ['/^opcache\.preload=.*$/m', '/^opcache\.preload_user=.*$/m'],
            ['opcache.preload=' . dirname(__DIR__) . '/preload.php', "opcache.preload_user=$user"],
            $example, -1, $count);
        if ($count !== 2) {
            throw new \LogicException('php.ini.example lost its opcache.preload or opcache.preload_user line');
        }
        $path = Fixture::tempDir() . '/php.ini';
        file_put_contents($path, $ini);
        return $path;
    }
}
