"""The suite never reaches another machine: the session-wide guard in conftest.py refuses
connections to anything but this one, and leaves loopback and Unix sockets alone."""

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import NetworkBlocked

OUTSIDE = ("203.0.113.1", 80)  # TEST-NET-3, reserved for documentation (RFC 5737)
OUTSIDE_V6 = ("2001:db8::1", 80)  # reserved for documentation (RFC 3849)


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()
    for connection in accepted:
        connection.close()


def test_a_connection_to_another_machine_is_refused() -> None:
    with pytest.raises(NetworkBlocked, match=r"203\.0\.113\.1"):
        socket.create_connection(OUTSIDE, timeout=1)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlocked, match="may not use the network"):
            sock.connect(OUTSIDE)
        with pytest.raises(NetworkBlocked):
            sock.connect_ex(OUTSIDE)
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.org", 443), timeout=1)


def test_an_ipv6_connection_to_another_machine_is_refused() -> None:
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        pytest.skip("no IPv6 on this machine")
    with sock, pytest.raises(NetworkBlocked, match="2001:db8::1"):
        sock.connect(OUTSIDE_V6)


def test_the_refusal_is_not_an_oserror_that_error_handling_could_swallow() -> None:
    assert not issubclass(NetworkBlocked, OSError)


def test_loopback_connections_work(listener: int) -> None:
    with socket.create_connection(("127.0.0.1", listener), timeout=5):
        pass
    with socket.create_connection(("localhost", listener), timeout=5):
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(("127.0.0.1", listener))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        assert sock.connect_ex(("127.0.0.1", listener)) == 0


def test_ipv6_loopback_connections_work() -> None:
    try:
        server = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with server, socket.create_connection(("::1", server.getsockname()[1]), timeout=5):
        pass


def test_unix_sockets_work(tmp_path: Path) -> None:
    path = str(tmp_path / "server.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
