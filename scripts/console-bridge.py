#!/usr/bin/env python3
"""Connects to an emulator's serial port served on a TCP socket (Bochs
`com1: mode=socket-server`) and copies everything it sends into LOG.

  console-bridge.py PORT LOG                log only
  console-bridge.py PORT LOG -i             also this terminal: keys go to the
                                            serial line (raw mode), output is
                                            shown; Ctrl-] ends the session
  console-bridge.py PORT LOG -s SCRIPT      scripted input for tests: SCRIPT has
                                            lines `WAIT <regex>` (wait until an
                                            output line so far matches it) and
                                            `SEND <text>` (\\r, \\n, \\xNN
                                            escapes); a WAIT that times out ends
                                            the script with a message in LOG.err

It keeps retrying the connection for up to 120 s (the emulator opens the port
only once it is up), and ends when the emulator closes the connection.
"""
import os
import re
import select
import socket
import sys
import time

WAIT_TIMEOUT = 600  # seconds a scripted WAIT may take (emulated boots are slow)


def connect(port):
    deadline = time.time() + 120
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            if time.time() > deadline:
                sys.exit(f"console-bridge: nothing listens on port {port}")
            time.sleep(0.2)


def parse_script(path):
    steps = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            verb, _, arg = line.partition(" ")
            if verb == "WAIT":
                steps.append(("wait", re.compile(arg)))
            elif verb == "SEND":
                steps.append(("send", arg.encode().decode("unicode_escape").encode("latin-1")))
            else:
                sys.exit(f"console-bridge: {path}:{n}: expected WAIT or SEND")
    return steps


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    port, log_path = int(sys.argv[1]), sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else ""
    steps = parse_script(sys.argv[4]) if mode == "-s" else []
    sock = connect(port)
    sock.setblocking(False)
    log = open(log_path, "ab", buffering=0)
    err = open(log_path + ".err", "w") if mode == "-s" else None
    tty = None
    if mode == "-i" and os.isatty(0):
        import termios
        import tty as ttymod

        tty = termios.tcgetattr(0)
        ttymod.setraw(0)
    pending = b""  # the current partial output line, for WAIT
    seen = []  # every complete output line so far
    step_started = time.time()
    try:
        while True:
            while steps:
                kind, arg = steps[0]
                if kind == "send":
                    sock.sendall(arg)
                elif not any(arg.search(line) for line in seen):
                    break
                steps.pop(0)
                step_started = time.time()
            if steps and time.time() - step_started > WAIT_TIMEOUT:
                err.write(f"WAIT {steps[0][1].pattern}: timed out\n")
                steps = []
            fds = [sock] + ([0] if mode == "-i" else [])
            ready, _, _ = select.select(fds, [], [], 0.5)
            if sock in ready:
                try:
                    data = sock.recv(4096)
                except BlockingIOError:
                    continue
                if not data:
                    break
                log.write(data)
                if mode == "-i":
                    os.write(1, data.replace(b"\n", b"\r\n") if tty else data)
                pending += data
                *lines, pending = pending.split(b"\n")
                seen += [line.decode("latin-1").rstrip("\r") for line in lines]
            if 0 in ready:
                key = os.read(0, 64)
                if not key or b"\x1d" in key:  # Ctrl-]
                    break
                sock.sendall(key)
    finally:
        if tty is not None:
            import termios

            termios.tcsetattr(0, termios.TCSADRAIN, tty)
        if err:
            for kind, arg in steps:
                if kind == "wait":
                    err.write(f"WAIT {arg.pattern}: never seen\n")
                    break
            err.close()


if __name__ == "__main__":
    main()
