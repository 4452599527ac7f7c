#!/usr/bin/env python3
"""Reads a JetStream stream with nothing but a socket, to check what tenantwatch published
independently of its own client: the NATS text protocol and the JetStream API's direct
message get ($JS.API.STREAM.MSG.GET), no library.

  nats_stream.py URL STREAM count              -> number of messages the stream holds
  nats_stream.py URL STREAM dump [SUBJECT_PREFIX] -> one JSON object a line, in stream order:
        {"seq", "subject", "headers": {...}, "data"}   (data decoded as UTF-8, errors replaced)
URL is one nats://host:port (the first of a comma-separated list is used).
"""
import base64
import json
import socket
import sys


class Client:
    def __init__(self, url):
        url = url.split(",")[0].strip()
        hostport = url.split("://", 1)[-1]
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.buf = b""
        self._line()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\nPING\r\n')
        while self._line() != b"PONG":
            pass
        self.sock.sendall(b"SUB _INBOX.twcheck 1\r\n")

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise SystemExit("nats_stream.py: connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        if line == b"PING":
            self.sock.sendall(b"PONG\r\n")
            return self._line()
        if line.startswith(b"-ERR"):
            raise SystemExit("nats_stream.py: server said " + line.decode())
        return line

    def _take(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def request(self, subject, payload):
        body = json.dumps(payload).encode() if payload is not None else b""
        self.sock.sendall(b"PUB %s _INBOX.twcheck %d\r\n%s\r\n" % (subject.encode(), len(body), body))
        while True:
            line = self._line()
            parts = line.split(b" ")
            if parts[0] == b"MSG":
                return json.loads(self._take(int(parts[-1])))
            if parts[0] == b"HMSG":
                # A status reply (no responders): headers only.
                self._take(int(parts[-1]))
                raise SystemExit("nats_stream.py: no JetStream responder for " + subject)


def headers(raw):
    out = {}
    for line in raw.split("\r\n")[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def main():
    url, stream, what = sys.argv[1], sys.argv[2], sys.argv[3]
    c = Client(url)
    info = c.request("$JS.API.STREAM.INFO." + stream, None)
    if "error" in info:
        raise SystemExit("nats_stream.py: %s" % info["error"])
    state = info["state"]
    if what == "count":
        print(state["messages"])
        return
    prefix = sys.argv[4] if len(sys.argv) > 4 else ""
    out = sys.stdout
    for seq in range(state["first_seq"], state["last_seq"] + 1):
        reply = c.request("$JS.API.STREAM.MSG.GET." + stream, {"seq": seq})
        if "error" in reply:
            continue  # deleted
        m = reply["message"]
        if not m["subject"].startswith(prefix):
            continue
        hdrs = headers(base64.b64decode(m.get("hdrs", "")).decode("utf-8", "replace")) if m.get("hdrs") else {}
        data = base64.b64decode(m.get("data", "")).decode("utf-8", "replace")
        out.write(json.dumps({"seq": m["seq"], "subject": m["subject"], "headers": hdrs, "data": data}) + "\n")


if __name__ == "__main__":
    main()
