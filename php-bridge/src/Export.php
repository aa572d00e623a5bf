<?php

declare(strict_types=1);

namespace StreamEvents;

use FFI\CData;
use StreamEvents\Exception\EventLogException;
use StreamEvents\Exception\StorageError;

/**
 * A running export: iterate once to get its chunks (strings). The native
 * cursor is closed when iteration ends, fails or is abandoned, and at the
 * latest when this object is destroyed.
 *
 * @implements \IteratorAggregate<int,string>
 */
final class Export implements \IteratorAggregate
{
    private bool $started = false;

    /** @param \Closure(): string $errmsg message of the last failure on the owning store */
    public function __construct(
        private readonly \FFI $ffi,
        private ?CData $export,
        private readonly \Closure $errmsg,
    ) {
    }

    public function getIterator(): \Generator
    {
        if ($this->started) {
            throw new \LogicException('An export can be iterated only once.');
        }
        $this->started = true;
        $chunk = $this->ffi->new('const char*');
        $len = $this->ffi->new('size_t');
        try {
            while ($this->export !== null) {
                $status = $this->ffi->el_export_next($this->export, \FFI::addr($chunk), \FFI::addr($len));
                if ($status !== 0) {
                    throw EventLogException::fromStatus($status, ($this->errmsg)(), 'el_export_next');
                }
                $n = $len->cdata;
                if ($n === 0) {
                    break;
                }
                if (\FFI::isNull($chunk)) {
                    throw new StorageError("el_export_next returned $n bytes at NULL.", EventLogException::EL_ERROR);
                }
                // Borrowed until the next call: copy it out now.
                yield \FFI::string($chunk, $n);
            }
        } finally {
            $this->close();
        }
    }

    public function close(): void
    {
        if ($this->export !== null) {
            $this->ffi->el_export_close($this->export);
            $this->export = null;
        }
    }

    public function __destruct()
    {
        $this->close();
    }
}
