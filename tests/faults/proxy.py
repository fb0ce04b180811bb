"""A TCP proxy that fails on command: the fault injector in front of a shared service.

The services on this machine are shared with other work, so they are never stopped; instead the code under
test talks to a ``FaultProxy`` and the proxy fails the way a crashed or restarting server does:

- ``cut()``: every live connection is torn down (the server process died).
- ``refuse()``: new connections are reset as soon as they arrive (the server is down); ``accept()`` ends it.
- ``pause()``: new and live connections are held open but nothing is forwarded either way (a stalled
  server, a network partition that drops packets); ``accept()`` resumes forwarding, nothing lost.

``down()`` is ``cut()`` and ``refuse()`` together. One thread per connection, select() on both sockets.
"""

import contextlib
import select
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


def with_port(url: str, port: int, query: str | None = None) -> str:
    """``url`` pointed at 127.0.0.1:``port`` (a proxy), credentials kept; ``query`` replaces the query."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    netloc_text = f"{netloc[0]}@{host}" if len(netloc) == 2 else host
    return urlunsplit(parts._replace(netloc=netloc_text, query=parts.query if query is None else query))


UP, REFUSING, PAUSED = "up", "refusing", "paused"
_POLL = 0.1  # seconds a forwarding thread waits before looking at the proxy's state again


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1", name: str = "") -> None:
        self.target = (target_host, target_port)
        self.name = name or f"proxy-{target_port}"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(_POLL)
        self.port: int = self._listener.getsockname()[1]
        self._state = UP
        self._changed = threading.Condition()
        self._links: set[_Link] = set()
        self._closed = False
        self.accepted = 0  # connections forwarded (or held) since the start
        self.refused = 0  # connections reset while refusing
        self.cuts = 0  # live connections torn down by cut()
        self._thread = threading.Thread(target=self._accept_loop, name=f"{self.name}-accept", daemon=True)
        self._thread.start()

    # --- faults -----------------------------------------------------------------------------------

    def cut(self) -> int:
        """Tear down every live connection; return how many there were."""
        with self._changed:
            links = list(self._links)
        for link in links:
            link.cut()
        self.cuts += len(links)
        return len(links)

    def refuse(self) -> None:
        self._set(REFUSING)

    def down(self) -> int:
        """The server is gone: refuse new connections and cut the live ones."""
        self.refuse()
        return self.cut()

    def pause(self) -> None:
        self._set(PAUSED)

    def accept(self) -> None:
        """Back to normal: accept and forward again (held connections resume where they stopped)."""
        self._set(UP)

    @contextmanager
    def outage(self) -> Iterator[None]:
        self.down()
        try:
            yield
        finally:
            self.accept()

    @property
    def state(self) -> str:
        return self._state

    @property
    def live(self) -> int:
        with self._changed:
            return len(self._links)

    def close(self) -> None:
        self._closed = True
        self._set(UP)  # wake held links so they can notice
        self.cut()
        self._thread.join(timeout=5)
        self._listener.close()

    # --- internals --------------------------------------------------------------------------------

    def _set(self, state: str) -> None:
        with self._changed:
            self._state = state
            self._changed.notify_all()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._state == REFUSING:
                self.refused += 1
                _reset(client)
                continue
            self.accepted += 1
            link = _Link(self, client)
            with self._changed:
                self._links.add(link)
            threading.Thread(target=link.run, name=f"{self.name}-link", daemon=True).start()

    def _wait_while_paused(self, link: "_Link") -> None:
        with self._changed:
            while self._state == PAUSED and not link.is_cut and not self._closed:
                self._changed.wait(_POLL)

    def _forget(self, link: "_Link") -> None:
        with self._changed:
            self._links.discard(link)


class _Link:
    """One client connection and its upstream twin."""

    def __init__(self, proxy: FaultProxy, client: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream: socket.socket | None = None
        self.is_cut = False

    def cut(self) -> None:
        self.is_cut = True
        for sock in (self.client, self.upstream):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def run(self) -> None:
        try:
            # A paused proxy holds a new connection before even reaching the server: the client sees a
            # connection that was accepted and then says nothing.
            self.proxy._wait_while_paused(self)
            if self.is_cut:
                return
            self.upstream = socket.create_connection(self.proxy.target, timeout=5)
            self.upstream.settimeout(None)
            self._pump()
        except OSError:
            pass
        finally:
            for sock in (self.client, self.upstream):
                if sock is not None:
                    _reset(sock)
            self.proxy._forget(self)

    def _pump(self) -> None:
        assert self.upstream is not None
        peer = {self.client: self.upstream, self.upstream: self.client}
        while not self.is_cut:
            self.proxy._wait_while_paused(self)
            readable, _, _ = select.select(list(peer), [], [], _POLL)
            if self.proxy.state == PAUSED:
                continue  # read nothing: what was sent waits in the kernel's buffers until accept()
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                peer[sock].sendall(data)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a dead server's kernel answers, rather than an orderly FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
