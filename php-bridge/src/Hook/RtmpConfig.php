<?php

declare(strict_types=1);

namespace StreamEvents\Hook;

/**
 * The nginx config of a TV station whose publishers are logged: the
 * `rtmp { }` block with the service's callbacks, the http `server { }` with
 * nginx-rtmp's control endpoint (how the panel kicks), or a whole nginx.conf
 * that runs as an unprivileged user with everything under one folder.
 */
final class RtmpConfig
{
    public const MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
    /** The five http temp paths: the packaged defaults under /var/lib/nginx are root's. */
    private const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

    public function __construct(
        private readonly int $serviceId,
        private readonly string $hookUrl,
        private readonly string $app = 'live',
        private readonly string $listen = '1935',
        private readonly string $controlListen = '127.0.0.1:8936',
    ) {
        // nginx-rtmp calls its hooks over plain HTTP only, and the URL is written into nginx.conf as it is.
        if (!preg_match('#^http://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~/-]*)?$#', $hookUrl)) {
            throw new \InvalidArgumentException("nginx-rtmp needs a plain http:// hook URL without spaces or quotes, got '$hookUrl'.");
        }
        if (!preg_match('/^[A-Za-z0-9._-]{1,64}$/', $app)) {
            throw new \InvalidArgumentException("An nginx-rtmp application name is letters, digits, '.', '_' or '-', got '$app'.");
        }
        foreach (['listen' => $listen, 'control listen' => $controlListen] as $what => $address) {
            if (!preg_match('/^(([0-9.]+|\[[0-9a-fA-F:]+\]):)?[0-9]{1,5}$/', $address)) {
                throw new \InvalidArgumentException("The $what address must be PORT, IP:PORT or [IPv6]:PORT, got '$address'.");
            }
        }
    }

    /** The `rtmp { }` block (top level of nginx.conf, after load_module). */
    public function rtmpBlock(): string
    {
        $url = $this->hookUrl;
        return <<<NGINX
            rtmp {
                # The default access log writes every stream name, and a stream name is its publisher's key.
                access_log off;

                server {
                    listen {$this->listen};

                    application {$this->app} {
                        live on;
                        # Stream Events, service {$this->serviceId}: who publishes, who stops. nginx refuses the
                        # publish when this URL cannot be reached, and drops a publisher whose update gets an error.
                        on_publish $url;
                        on_publish_done $url;
                        on_update $url;
                        notify_update_timeout 30s;
                        # A publisher whose connection went silent is dropped, so its end is reported.
                        drop_idle_publisher 10s;
                    }
                }
            }

            NGINX;
    }

    /** The http `server { }` with the control endpoint RtmpControl calls (inside http { }). */
    public function controlServer(): string
    {
        return <<<NGINX
            server {
                listen {$this->controlListen};

                # RtmpControl::kick drops a publisher here; nothing else is allowed.
                location /control {
                    rtmp_control drop;
                }
            }

            NGINX;
    }

    /**
     * A curl config file that tells the hook the station's nginx is starting
     * (nginx itself says nothing), so that whatever the log still shows live
     * is closed before anyone publishes. For the station's service unit:
     *   ExecStartPre=-/usr/bin/curl -K <this file>
     * It holds the hook URL, a secret: readable by the station's user only.
     */
    public function startNotice(): string
    {
        return "# Stream Events, service {$this->serviceId}: nginx is starting. ExecStartPre=-/usr/bin/curl -K <this file>\n"
            . "url = \"{$this->hookUrl}\"\n"
            . 'data = "call=' . RtmpCallback::START . "\"\n"
            . "silent\nshow-error\nfail\nmax-time = 5\n";
    }

    /**
     * A whole nginx.conf, to be run by an unprivileged user that owns $prefix:
     *   nginx -p $prefix -c $prefix/nginx.conf -e $prefix/logs/error.log
     */
    public function nginxConf(string $prefix): string
    {
        if (!preg_match('#^/[A-Za-z0-9._/-]*$#', $prefix)) {
            throw new \InvalidArgumentException("The nginx prefix must be an absolute path of letters, digits, '.', '_', '-' and '/', got '$prefix'.");
        }
        $prefix = rtrim($prefix, '/');
        $indent = static fn (string $block): string => preg_replace('/^(?=.)/m', '    ', $block);
        $temp = implode('', array_map(static fn (string $t): string => "    {$t}_temp_path $prefix/{$t}_temp;\n", self::TEMP_PATHS));
        return "# nginx for TV service {$this->serviceId}, run as the user that owns $prefix:\n"
            . "#   nginx -p $prefix -c $prefix/nginx.conf -e $prefix/logs/error.log\n"
            . 'load_module ' . self::MODULE . ";\n"
            . "# nginx-rtmp keeps streams per worker: the control endpoint and the duplicate check need one.\n"
            . "worker_processes 1;\n"
            . "pid $prefix/nginx.pid;\n"
            . "# Not info or debug: at those levels nginx-rtmp writes stream names (keys) into this log.\n"
            . "error_log $prefix/logs/error.log notice;\n\n"
            . "events {\n    worker_connections 1024;\n}\n\n"
            . $this->rtmpBlock() . "\n"
            . "http {\n    access_log $prefix/logs/access.log;\n$temp\n" . $indent($this->controlServer()) . "}\n";
    }
}
