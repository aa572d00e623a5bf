<?php

declare(strict_types=1);

/*
 * The demo panel's directory: who exists and who owns which service. The seed
 * puts it into the store (the panel would keep it in sync); the demo pages use
 * it for their side menu. Ids 1, 2 and 4 are the demo sign-in accounts
 * (StreamEvents\Demo\DemoAuth::USERS).
 */
return [
    'accounts' => [
        ['id' => 1, 'role' => 'admin', 'name' => 'Panel Admin', 'resellerId' => null],
        ['id' => 2, 'role' => 'reseller', 'name' => 'WaveHost Reselling', 'resellerId' => null],
        ['id' => 3, 'role' => 'reseller', 'name' => 'Skyline Media', 'resellerId' => null],
        ['id' => 4, 'role' => 'customer', 'name' => 'Radio Nova', 'resellerId' => 2],
        ['id' => 5, 'role' => 'customer', 'name' => 'Club Beats', 'resellerId' => 2],
        ['id' => 6, 'role' => 'customer', 'name' => 'Campus Radio Society', 'resellerId' => 3],
        ['id' => 7, 'role' => 'customer', 'name' => 'Metro TV', 'resellerId' => 3],
        // A direct customer of the panel owner, under no reseller.
        ['id' => 8, 'role' => 'customer', 'name' => 'Lighthouse Church', 'resellerId' => null],
    ],
    'services' => [
        ['id' => 101, 'name' => 'Radio Nova Live', 'ownerId' => 4, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
        // Suspended by the system for bandwidth abuse during the month; its owner still sees its log.
        ['id' => 102, 'name' => 'Radio Nova Nonstop', 'ownerId' => 4, 'kind' => 'autodj', 'status' => 'suspended', 'removed' => false],
        ['id' => 103, 'name' => 'Nova Talk', 'ownerId' => 4, 'kind' => 'shoutcast', 'status' => 'active', 'removed' => false],
        ['id' => 104, 'name' => 'Club Beats Live', 'ownerId' => 5, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
        ['id' => 105, 'name' => 'Club Beats Hits', 'ownerId' => 5, 'kind' => 'autodj', 'status' => 'active', 'removed' => false],
        ['id' => 106, 'name' => 'Campus FM', 'ownerId' => 6, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
        // Stopped when the account expired.
        ['id' => 107, 'name' => 'Campus FM Archive', 'ownerId' => 6, 'kind' => 'shoutcast', 'status' => 'expired', 'removed' => false],
        ['id' => 108, 'name' => 'Metro TV One', 'ownerId' => 7, 'kind' => 'tv', 'status' => 'active', 'removed' => false],
        ['id' => 109, 'name' => 'Metro Radio', 'ownerId' => 7, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
        ['id' => 110, 'name' => 'Lighthouse Worship', 'ownerId' => 8, 'kind' => 'icecast', 'status' => 'active', 'removed' => false],
        ['id' => 111, 'name' => 'WaveHost Promo Stream', 'ownerId' => 2, 'kind' => 'shoutcast', 'status' => 'active', 'removed' => false],
        ['id' => 112, 'name' => 'Skyline Jazz', 'ownerId' => 3, 'kind' => 'autodj', 'status' => 'active', 'removed' => false],
        // Removed by its owner during the month: its log stays until the retention window drops it.
        ['id' => 113, 'name' => 'Club Beats Weekender', 'ownerId' => 5, 'kind' => 'icecast', 'status' => 'active', 'removed' => true],
    ],
];
