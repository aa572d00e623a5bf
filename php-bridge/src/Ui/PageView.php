<?php

declare(strict_types=1);

namespace StreamEvents\Ui;

/**
 * One Stream Events page as a fragment for the panel's own layout: its HTTP
 * status (403 outside the viewer's scope, …), the title for the panel's
 * <title>, the language the fragment is in and its HTML (style sheet, config,
 * script and the element the script fills).
 */
final class PageView
{
    public function __construct(
        public readonly int $status,
        public readonly string $title,
        public readonly string $language,
        public readonly string $html,
    ) {
    }
}
