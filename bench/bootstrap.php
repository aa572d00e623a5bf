<?php

declare(strict_types=1);

require __DIR__ . '/../php-bridge/autoload.php';
require __DIR__ . '/Rows.php';
require __DIR__ . '/Stats.php';
require __DIR__ . '/ElSide.php';
require __DIR__ . '/PdoPeer.php';
require __DIR__ . '/LeanPeer.php';
