<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/** A server a test started (php -S, php-fpm): its port, its log, and stopping it, also on destruction. */
trait ChildProcess
{
    /** @var resource */
    private $process;
    private readonly string $logFile;

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    public static function freePort(): int
    {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
        fclose($probe);
        return $port;
    }

    /** Waits until the server accepts connections at $address (tcp://… or unix://…); stops it and throws when it dies or takes too long. */
    private function awaitAddress(string $address, string $what): void
    {
        $deadline = microtime(true) + 15;
        while (($socket = @stream_socket_client($address, $errno, $errstr, 0.2)) === false) {
            if (!proc_get_status($this->process)['running'] || microtime(true) > $deadline) {
                $this->stop();
                throw new \RuntimeException("$what did not come up at $address: " . $this->log());
            }
            usleep(20_000);
        }
        fclose($socket);
    }

    public function log(): string
    {
        return (string) @file_get_contents($this->logFile);
    }

    /** Stops the server and its own children: `php -S` with PHP_CLI_SERVER_WORKERS forks workers that outlive it. */
    public function stop(): void
    {
        if (is_resource($this->process)) {
            $children = self::childrenOf(proc_get_status($this->process)['pid']);
            proc_terminate($this->process);
            proc_close($this->process);
            foreach ($children as $child) {
                posix_kill($child, SIGTERM);
            }
        }
    }

    /** @return list<int> the processes whose parent is $pid */
    private static function childrenOf(int $pid): array
    {
        $children = [];
        foreach (glob('/proc/[0-9]*/stat') ?: [] as $stat) {
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
            $line = (string) @file_get_contents($stat);
            $after = strrchr($line, ')');
            if ($after !== false && (int) (explode(' ', $after)[2] ?? 0) === $pid) {
                $children[] = (int) basename(dirname($stat));
            }
        }
        return $children;
    }

    public function __destruct()
    {
        $this->stop();
    }
}
