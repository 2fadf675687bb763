#!/usr/bin/python3
"""AF_INET from inside the sandbox: GET / from the test's HTTP server.

    fetch.py relay PORT    through srt's HTTP proxy: the socat relay inside the
                           sandbox that $http_proxy names (127.0.0.1:3128), with
                           the credentials that $http_proxy carries (0.0.55+)
    fetch.py direct PORT   straight to 127.0.0.1:PORT

Prints the first line of the body, or "error NAME" (an errno name, or the
proxy's status line), on one line; exits 0 either way.
"""
import base64
import errno
import os
import socket
import sys
import time
import urllib.parse


def connect(port, patient):
    """A connection to 127.0.0.1:port. srt starts its relays in the
    background just before the helper (0.0.83 waits at most 0.3 s for them):
    a patient caller tries again for 10 s while nothing listens yet."""
    for _ in range(100 if patient else 1):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except ConnectionRefusedError:
            if not patient:
                raise
            time.sleep(0.1)
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def get(port, target, headers="", patient=False):
    with connect(port, patient) as s:
        s.sendall(("GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n" % (target, headers)).encode())
        reply = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode(errors="replace")
    if " 200 " not in status:
        return "error " + status
    return body.decode(errors="replace").strip().split("\n")[0]


mode, port = sys.argv[1], int(sys.argv[2])
try:
    if mode == "direct":
        print(get(port, "/"))
    else:
        proxy = urllib.parse.urlsplit(os.environ.get("http_proxy", ""))
        if not proxy.port:
            print("error no http_proxy")
            sys.exit(0)
        headers = ""
        if proxy.username:
            cred = "%s:%s" % (urllib.parse.unquote(proxy.username),
                              urllib.parse.unquote(proxy.password or ""))
            headers = "Proxy-Authorization: Basic %s\r\n" % base64.b64encode(cred.encode()).decode()
        print(get(proxy.port, "http://127.0.0.1:%d/" % port, headers, patient=True))
except OSError as e:
    print("error " + (errno.errorcode.get(e.errno, "") if e.errno else type(e).__name__))
