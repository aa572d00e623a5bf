<?php

declare(strict_types=1);

namespace StreamEvents\Tests;

/** A server a test started (php -S, php-fpm): its log, and stopping it, also on destruction. */
trait ChildProcess
{
    /** @var resource */
    private $process;
    private readonly string $logFile;

    public function log(): string
    {
        return (string) @file_get_contents($this->logFile);
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
    }

    public function __destruct()
    {
        $this->stop();
    }
}
