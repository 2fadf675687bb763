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
import urllib.parse


def get(host, port, target, headers=""):
    with socket.create_connection((host, port), timeout=10) as s:
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
        print(get("127.0.0.1", port, "/"))
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
        print(get("127.0.0.1", proxy.port, "http://127.0.0.1:%d/" % port, headers))
except OSError as e:
    print("error " + (errno.errorcode.get(e.errno, "") if e.errno else type(e).__name__))
