"""A small OpenAI-compatible chat-completions server for tests and benchmarks (stdlib only).

It listens on 127.0.0.1 and answers ``POST /v1/chat/completions`` with a numbered list, and
``GET /v1/models``. Faults can be scripted, globally (the next requests in arrival order)
or per prompt (requests whose messages contain a tag like ``[[p3]]``):

* ``ok`` -- a normal reply (after ``delay_s``);
* ``429`` -- rate limited, with a ``Retry-After`` header;
* ``500`` / ``503`` -- a server fault;
* ``malformed`` -- status 200 with a body that is not valid JSON;
* ``drop`` -- the connection is closed without any reply;
* ``hang`` -- no reply for ``hang_s`` seconds, then the connection is closed.

Example::

    with FakeChatServer(delay_s=0.05) as server:
        server.plan("p3", ["429", "429", "ok"])
        gen = OpenAIGenerator(OpenAIOptions(model="fake", base_url=server.base_url))

Run it by hand with ``python -m mils_llm.testing_server --port 8000 --delay 0.05``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACTIONS = ("ok", "429", "500", "503", "malformed", "drop", "hang")
_TAG = re.compile(r"\[\[([^\[\]]{1,64})\]\]")


def default_reply(messages: list[dict[str, Any]]) -> str:
    """A deterministic numbered list: as many lines as the prompt asks for (3 by default)."""
    text = "\n".join(str(m.get("content", "")) for m in messages)
    tag_match = _TAG.search(text)
    tag = tag_match.group(1) if tag_match else hashlib.sha256(text.encode()).hexdigest()[:6]
    wanted = re.search(r"\bwrite\s+(\d{1,3})\b", text, re.IGNORECASE)
    n = max(1, min(50, int(wanted.group(1)))) if wanted else 3
    return "\n".join(f"{i}. reply {tag} candidate number {i}" for i in range(1, n + 1))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    owner: FakeChatServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        owner = self.server.owner
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, {"object": "list", "data": [{"id": owner.model, "object": "model"}]})
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            body = json.loads(raw)
            messages = list(body["messages"])
        except (ValueError, KeyError, TypeError):
            self._send_json(400, {"error": {"message": "body must be JSON with a messages list"}})
            return
        authorized = owner.require_key is None or self.headers.get("Authorization") == f"Bearer {owner.require_key}"
        action = owner._take(messages, self.headers, authorized)
        if action == "401":
            self._send_json(401, {"error": {"message": "invalid API key"}})
            return
        with owner._lock:
            owner._in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner._in_flight)
        try:
            self._act(owner, action, body, messages)
        finally:
            with owner._lock:
                owner._in_flight -= 1

    def _act(self, owner: FakeChatServer, action: str, body: dict[str, Any], messages: list[dict[str, Any]]) -> None:
        if action == "429":
            self._send_json(429, {"error": {"message": "rate limited"}}, {"Retry-After": owner.retry_after})
        elif action in ("500", "503"):
            self._send_json(int(action), {"error": {"message": "injected server fault"}})
        elif action == "malformed":
            self._send_json(200, b'{"choices": [{"message": {"content": "truncat')
        elif action == "drop":
            self._drop()
        elif action == "hang":
            owner._stop.wait(owner.hang_s)
            self._drop()
        else:
            if owner.delay_s > 0:
                owner._stop.wait(owner.delay_s)
            text = owner.reply(messages)
            prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
            self._send_json(200, {
                "id": f"chatcmpl-{owner.served}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", owner.model),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(text.split()),
                          "total_tokens": prompt_tokens + len(text.split())},
            })
            with owner._lock:
                owner.served += 1
                owner.bodies.append(body)


class FakeChatServer:
    """An OpenAI-compatible server on 127.0.0.1 with scriptable faults; use as a context manager.

    :param delay_s: artificial latency of every normal reply.
    :param retry_after: the ``Retry-After`` header sent with 429 replies.
    :param hang_s: how long a ``hang`` fault holds the connection before closing it.
    :param reply: builds the reply text from the request's messages.
    :param require_key: if set, requests must carry ``Authorization: Bearer <key>``.
    """

    def __init__(
        self,
        *,
        delay_s: float = 0.0,
        model: str = "fake-model",
        retry_after: str = "0",
        hang_s: float = 30.0,
        reply: Callable[[list[dict[str, Any]]], str] = default_reply,
        require_key: str | None = None,
        port: int = 0,
    ) -> None:
        self.delay_s = delay_s
        self.model = model
        self.retry_after = retry_after
        self.hang_s = hang_s
        self.reply = reply
        self.require_key = require_key
        self.port = port
        self.served = 0
        self.max_in_flight = 0
        #: Request bodies of the replies served, in arrival order (for tests).
        self.bodies: list[dict[str, Any]] = []
        #: (tag, action, had an Authorization header) per request; action "401" = rejected key.
        self.log: list[tuple[str | None, str, bool]] = []
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._queue: collections.deque[str] = collections.deque()
        self._plans: dict[str, collections.deque[str]] = {}
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- scripting ------------------------------------------------------------------------
    def fail_next(self, *actions: str) -> None:
        """Apply ``actions`` to the next requests, in arrival order (then ``ok``)."""
        self._check(actions)
        with self._lock:
            self._queue.extend(actions)

    def plan(self, tag: str, actions: Iterable[str]) -> None:
        """Apply ``actions`` in turn to requests whose messages contain ``[[tag]]`` (then ``ok``)."""
        actions = list(actions)
        self._check(actions)
        with self._lock:
            self._plans[tag] = collections.deque(actions)

    @staticmethod
    def _check(actions: Iterable[str]) -> None:
        for action in actions:
            if action not in ACTIONS:
                raise ValueError(f"unknown fault {action!r}; choose from {', '.join(ACTIONS)}")

    def _take(self, messages: list[dict[str, Any]], headers: Any, authorized: bool = True) -> str:
        text = "\n".join(str(m.get("content", "")) for m in messages)
        match = _TAG.search(text)
        tag = match.group(1) if match else None
        with self._lock:
            plan = self._plans.get(tag) if tag is not None else None
            if not authorized:
                action = "401"
            elif plan:
                action = plan.popleft()
            elif self._queue:
                action = self._queue.popleft()
            else:
                action = "ok"
            self.log.append((tag, action, headers.get("Authorization") is not None))
        return action

    def actions_for(self, tag: str) -> list[str]:
        """The actions served so far to requests tagged ``[[tag]]``."""
        with self._lock:
            return [a for t, a, _ in self.log if t == tag]

    # -- life cycle -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``."""
        if self._httpd is None:
            raise RuntimeError("the server is not running; call start() or use it as a context manager")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeChatServer:
        self._stop.clear()
        httpd = _Server(("127.0.0.1", self.port), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-chat-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def serve_in_subprocess(delay_s: float = 0.0, timeout_s: float = 30.0) -> Iterator[str]:
    """Run the server in a child process (no shared GIL with the client); yields its base URL."""
    cmd = [sys.executable, "-m", "mils_llm.testing_server", "--port", "0", "--delay", str(delay_s)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + timeout_s
        while proc.stdout is not None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("serving on ") or not line:
                break
        if not line.startswith("serving on "):
            raise RuntimeError(f"the fake chat server did not start (exit code {proc.poll()})")
        yield line.split()[2]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted or terminated (for trying a client by hand, and for benchmarks)."""
    parser = argparse.ArgumentParser(description="fake OpenAI-compatible chat-completions server")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds of latency per reply")
    args = parser.parse_args(argv)
    server = FakeChatServer(delay_s=args.delay, port=args.port).start()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(f"serving on {server.base_url} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
