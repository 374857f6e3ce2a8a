"""Minimal loopback sinks for `bench/campaign_send.py`, each run in its own process.

    python bench/support/campaign_sinks.py smtp PORT   # SMTP: 250 to everything, 354 to DATA, reads to "." (asyncio)
    python bench/support/campaign_sinks.py http PORT   # the SMS gateway's send-many: accepts every message

aiosmtpd parses every command and message and tops out near 500 messages a second on two cores, which
would make it, not the sender, the thing measured; this sink does only what the SMTP dialogue needs.
"""

from __future__ import annotations

import asyncio
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


async def _smtp_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 sink ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await reader.readuntil(b"\r\n.\r\n")
                writer.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            elif verb == b"EHLO":
                writer.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def _serve_smtp(port: int) -> None:
    server = await asyncio.start_server(_smtp_session, "127.0.0.1", port, limit=2**22)
    print("ready", flush=True)  # noqa: T201
    async with server:
        await server.serve_forever()


class _Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        answer = json.dumps(
            {
                "groupInfo": {"groupId": "G1", "count": {"total": len(body["messages"])}},
                "failedMessageList": [],
                "messageList": [
                    {"messageId": f"M{n}", "statusCode": "2000", "customFields": item.get("customFields", {})}
                    for n, item in enumerate(body["messages"])
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "smtp":
        asyncio.run(_serve_smtp(port))
    else:
        server = ThreadingHTTPServer(("127.0.0.1", port), _Gateway)
        server.daemon_threads = True
        print("ready", flush=True)  # noqa: T201
        server.serve_forever()


if __name__ == "__main__":
    main()
