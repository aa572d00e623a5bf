<?php

declare(strict_types=1);

/*
 * Router of the browser suite: a stand-in for a panel that embeds the pages
 * in its own layout (/host/stream-events, /host/services/{id}/stream-events),
 * with element rules of its own that the fragment must withstand and must
 * not restyle; every other path is the demo server (public/index.php).
 */

use StreamEvents\Demo\DemoAuth;
use StreamEvents\EventLog;
use StreamEvents\Http\EventLogController;
use StreamEvents\Ui\PageController;
use StreamEvents\Ui\StreamEventsPage;

$path = (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
if (!preg_match('#^/host/(?:services/([1-9][0-9]{0,8})/)?stream-events$#', $path, $m)) {
    return require __DIR__ . '/../../public/index.php';
}
require __DIR__ . '/../../demo/autoload.php';

// What a panel writes: its sign-in, its store, the pages under its own paths, its layout.
$auth = new DemoAuth($_SERVER, $_COOKIE);
$open = static fn (): EventLog => EventLog::open((string) getenv('STREAM_EVENTS_DB'));
$pages = new PageController(new EventLogController($open, $auth), $auth, new StreamEventsPage(pagesBase: '/host'),
    openEventLog: $open, language: (string) ($_SERVER['HTTP_ACCEPT_LANGUAGE'] ?? ''));
$view = $pages->view(isset($m[1]) ? (int) $m[1] : null, $_GET);
http_response_code($view->status);
header('Content-Type: text/html; charset=utf-8');
$title = htmlspecialchars($view->title);
echo <<<HTML
    <!DOCTYPE html>
    <html lang="{$view->language}">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{$title} · Host Panel</title>
    <style>
      body { margin: 0; font: 16px/1.6 Georgia, serif; background: #fdf6e3; color: #222; }
      a { color: #8b0000; text-decoration: underline; }
      h1 { font-size: 40px; color: #663399; margin: 0 0 20px; }
      table { border: 3px solid #008000; } td, th { padding: 20px; text-align: center; }
      button, input, select { background: #ffd700; border: 2px solid #000; font-size: 18px; }
      .host-top { background: #073642; color: #fdf6e3; padding: 10px 16px; }
      .host-top a { color: #fdf6e3; }
      .host-body { display: grid; grid-template-columns: 200px minmax(0, 1fr); }
      .host-side { background: #eee8d5; padding: 16px; }
      .host-content { padding: 16px; min-width: 0; }
      @media (max-width: 700px) { .host-body { grid-template-columns: minmax(0, 1fr); } .host-side { display: none; } }
    </style>
    </head>
    <body>
    <header class="host-top" lang="en"><a href="/host/stream-events" id="host-home">Host Panel</a> <button type="button" id="host-button">Account</button></header>
    <div class="host-body">
    <nav class="host-side" aria-label="Host menu" lang="en"><a href="/host/services/101/stream-events">Radio Nova Live</a></nav>
    <main class="host-content" id="host-content">
    {$view->html}</main>
    </div>
    </body>
    </html>
    HTML;
