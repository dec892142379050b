"""Serve data/ on http://127.0.0.1:8765/, the URL the workflow fetches
(the machines this example runs on are offline).

    python3 serve.py                 in the foreground; Ctrl-C stops it
    python3 serve.py --background    listen, then detach and print the
                                     server's pid (for `make run`)
    python3 serve.py --port 9000     another port
"""
import argparse
import functools
import http.server
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("serve.py: %s\n" % (fmt % args))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--background", action="store_true")
    opts = ap.parse_args()
    handler = functools.partial(Handler, directory=os.path.join(HERE, "data"))
    try:
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", opts.port), handler)
    except OSError as e:
        sys.stderr.write("serve.py: cannot listen on 127.0.0.1:%d: %s "
                         "(already serving?)\n" % (opts.port, e.strerror))
        return 1
    if opts.background:
        # The socket is listening before the parent returns: no race with
        # the first fetch.
        pid = os.fork()
        if pid:
            print(pid)
            return 0
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
    else:
        print("serving %s on http://127.0.0.1:%d/" % (
            os.path.join(HERE, "data"), opts.port), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


sys.exit(main())
