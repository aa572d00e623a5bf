<?php

declare(strict_types=1);

namespace StreamEvents\Tests\Hooks;

/**
 * A service's Liquidsoap for the hook tests: php-bridge/liquidsoap/stream-events.liq
 * over an AutoDJ playlist of generated tones, a harbor on 127.0.0.1 and the
 * telnet server; ffmpeg plays the DJs. The DJ logins are alice/alice-pw,
 * bob/bob-pw, and source/<name>-pw for DJs sharing the user "source".
 */
final class LiquidsoapService
{
    public readonly int $harborPort;
    public readonly int $telnetPort;
    public readonly string $spool;
    private readonly string $script;

    /** @param array<string, string> $options more stream_events_radio arguments, as Liquidsoap code (buffer: 1 s unless given) */
    public function __construct(private readonly Harness $t, string $hook, array $options = [])
    {
        $options += ['buffer' => '1.'];
        $this->harborPort = Harness::freePort();
        $this->telnetPort = Harness::freePort();
        $music = "{$t->dir}/music";
        if (!is_dir($music)) {
            mkdir($music, 0o755);
            foreach ([330, 440, 550] as $hz) {
                exec("ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i sine=frequency=$hz:duration=4 -c:a libvorbis -y "
                    . escapeshellarg("$music/tone$hz.ogg"), $out, $code);
                if ($code !== 0) {
                    throw new \RuntimeException("ffmpeg could not make $music/tone$hz.ogg");
                }
            }
        }
        // The spool's parent exists (and belongs to Liquidsoap's user); the snippet creates the spool.
        @mkdir("{$t->dir}/spool", 0o700);
        $this->spool = "{$t->dir}/spool/liquidsoap";
        $arguments = implode('', array_map(static fn (string $k, string $v): string => "$k=$v, ", array_keys($options), $options));
        $snippet = $t->bridgeDir . '/liquidsoap/stream-events.liq';
        $allowRoot = posix_geteuid() === 0 ? 'settings.init.allow_root.set(true)' : '';
        $this->script = "{$t->dir}/service.liq";
        file_put_contents($this->script, <<<LIQ
            $allowRoot
            settings.log.stdout.set(true)
            settings.log.file.set(false)
            settings.log.level.set(3)
            settings.harbor.bind_addrs.set(["127.0.0.1"])
            settings.server.telnet.set(true)
            settings.server.telnet.bind_addr.set("127.0.0.1")
            settings.server.telnet.port.set({$this->telnetPort})

            %include "$snippet"

            # The panel's DJ logins.
            def check_dj(user, password)
              (user == "alice" and password == "alice-pw") or (user == "bob" and password == "bob-pw")
              or (user == "source" and list.mem(password, ["alice-pw", "bob-pw"]))
            end

            radio = stream_events_radio(hook="$hook", spool="{$this->spool}", port={$this->harborPort}, mount="/live",
                                        auth=check_dj, $arguments
                                        playlist(mode="normal", reload_mode="never", "$music"))
            output.dummy(radio)

            LIQ);
    }

    /** Starts Liquidsoap (again); false when its harbor and telnet ports did not open. */
    public function start(): bool
    {
        $this->t->stop('liquidsoap');
        $this->t->start('liquidsoap', ['liquidsoap', $this->script]);
        return $this->t->waitPort($this->harborPort, 30) && $this->t->waitPort($this->telnetPort, 5);
    }

    /** A crash: SIGKILL, nothing runs on the way out. */
    public function kill(): void
    {
        $this->t->signal('liquidsoap', SIGKILL);
        $this->t->waitExit('liquidsoap', 10);
        $this->t->stop('liquidsoap');
    }

    /** A DJ's encoder: ffmpeg sending a tone to the harbor for $seconds, as process $name. */
    public function dj(string $name, string $user, string $password, int $seconds): void
    {
        $this->t->start($name, ['ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error', '-re',
            '-f', 'lavfi', '-i', "sine=frequency=660:duration=$seconds", '-c:a', 'libvorbis',
            '-content_type', 'application/ogg', '-f', 'ogg', "icecast://$user:$password@127.0.0.1:{$this->harborPort}/live"]);
    }

    /** A server command over telnet; its answer. */
    public function command(string $command): string
    {
        $telnet = @stream_socket_client("tcp://127.0.0.1:{$this->telnetPort}", $errno, $errstr, 5);
        if ($telnet === false) {
            throw new \RuntimeException("telnet: $errstr");
        }
        stream_set_timeout($telnet, 5);
        fwrite($telnet, "$command\n");
        $reply = '';
        while (!str_contains($reply, 'END') && ($line = fgets($telnet)) !== false) {
            $reply .= $line;
        }
        fwrite($telnet, "quit\n");
        fclose($telnet);
        return $reply;
    }

    /** The events waiting in the spool, oldest first: file name => form fields. */
    public function spooled(): array
    {
        $events = [];
        foreach (glob("{$this->spool}/*.ev") ?: [] as $file) {
            parse_str(trim((string) @file_get_contents($file)), $fields);
            $events[basename($file)] = $fields;
        }
        ksort($events);
        return $events;
    }

    /** The tail of Liquidsoap's log, for failure messages. */
    public function logTail(int $lines = 30): string
    {
        return implode("\n", array_slice(explode("\n", $this->t->log('liquidsoap')), -$lines));
    }
}
