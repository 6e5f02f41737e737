"""A tiny OpenAI-compatible (and Ollama /api/chat) chat server for tests: stdlib only, 127.0.0.1, free port."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class FakeChatServer:
    """Serves canned replies, streamed piece by piece; records every request body in .requests."""

    def __init__(
        self, chunks: list[str] | None = None, delay_s: float = 0.0, status: int = 200, chunk_delay_s: float = 0.0
    ) -> None:
        self.chunks: list[str] = chunks if chunks is not None else ["Hello", " world", " [1]", "."]
        self.delay_s = delay_s  # wait before the first byte (timeout tests)
        self.chunk_delay_s = chunk_delay_s  # wait before each streamed piece (slow-model tests)
        self.status = status  # non-200: answer with an OpenAI-style error body
        self.requests: list[dict[str, Any]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (…/v1)."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        """The server root (Ollama-style base URL)."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """A request handler class bound to this server's state."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection; the body ends when the socket closes

            def log_message(self, format: str, *args: Any) -> None:
                """Silence per-request logging."""

            def do_POST(self) -> None:
                try:
                    self._post()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests, aborted streams)

            def _post(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "body": body})
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                if fake.status != 200:
                    self._send_json(fake.status, {"error": {"message": "model 'x' not found", "type": "invalid_request_error"}})
                elif self.path.endswith("/chat/completions"):
                    self._openai(body)
                elif self.path == "/api/chat":
                    self._ollama(body)
                else:
                    self._send_json(404, {"error": {"message": f"no route {self.path}"}})

            def _send_json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _openai(self, body: dict[str, Any]) -> None:
                created, model = int(time.time()), body.get("model", "fake")
                if not body.get("stream"):
                    message = {"role": "assistant", "content": "".join(fake.chunks)}
                    choice = {"index": 0, "message": message, "finish_reason": "stop"}
                    self._send_json(
                        200, {"id": "c1", "object": "chat.completion", "created": created, "model": model, "choices": [choice]}
                    )
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                deltas = [{"role": "assistant", "content": ""}] + [{"content": c} for c in fake.chunks] + [{}]
                for i, delta in enumerate(deltas):
                    finish = "stop" if i == len(deltas) - 1 else None
                    event = {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    }
                    if fake.chunk_delay_s:
                        time.sleep(fake.chunk_delay_s)
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _ollama(self, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()
                model = body.get("model", "fake")
                stamp = "2026-01-01T00:00:00Z"
                for c in fake.chunks:
                    line = {"model": model, "created_at": stamp, "message": {"role": "assistant", "content": c}, "done": False}
                    self.wfile.write((json.dumps(line) + "\n").encode())
                    self.wfile.flush()
                final = {
                    "model": model,
                    "created_at": stamp,
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                    "done_reason": "stop",
                    "total_duration": 1,
                    "eval_count": len(fake.chunks),
                    "prompt_eval_count": 1,
                }
                self.wfile.write((json.dumps(final) + "\n").encode())
                self.wfile.flush()

        return Handler
