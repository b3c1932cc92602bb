"""A webhook receiver for tests, run as its own process: `python receiver.py OUT [options]`.

It listens on a loopback port (printed on its first line of output), appends every request it gets
to OUT as one JSON line (path, headers, body), and answers as told: 500 for the first --fail-first
requests, a redirect with --redirect-to, nothing for --delay seconds first, then --status; HTTPS with --cert.
"""

from __future__ import annotations

import argparse
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--status", type=int, default=204)
    parser.add_argument("--redirect-to", default="")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--cert", default="", help="serve HTTPS with this certificate (PEM, key included)")
    options = parser.parse_args()
    lock = threading.Lock()
    seen = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                seen[0] += 1
                number = seen[0]
                with open(options.out, "a", encoding="utf-8") as out:
                    record = {"path": self.path, "headers": dict(self.headers.items()), "body": body.decode()}
                    out.write(json.dumps(record) + "\n")
            if options.delay:
                time.sleep(options.delay)
            if number <= options.fail_first:
                self._answer(500, b"receiver told to fail")
            elif options.redirect_to:
                self.send_response(302)
                self.send_header("Location", options.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._answer(options.status, b"")

        def _answer(self, status: int, text: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            if text:
                self.wfile.write(text)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((options.host, 0), Handler)
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
