#!/usr/bin/python3
"""The host-side HTTP server that sandboxed commands reach through srt's
proxy: binds 127.0.0.1 on a free port, prints the port, answers every GET
with BODY, and stops by itself after LIFETIME seconds.

    serve.py BODY LIFETIME
"""
import http.server
import sys
import threading

body = (sys.argv[1] + "\n").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(float(sys.argv[2]), server.shutdown).start()
server.serve_forever()
