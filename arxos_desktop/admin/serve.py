"""`arx serve`: run the cloud sync service on this machine until Ctrl+C.

The listening socket is bound here, before the service starts, and handed to
uvicorn: a port another program holds is then a plain sentence with its own exit
code (:class:`PortInUseError`) instead of a log line from inside the server, and
there is no moment between checking the port and taking it.
"""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer

from arxos_desktop.admin.extras import require_server
from arxos_desktop.admin.server_db import DatabaseUrlOpt, safe_url, server_settings
from arxos_desktop.cli import output as out
from arxos_desktop.cli.args import InputError
from arxos_desktop.errors import ArxosError, ErrorKind


class PortInUseError(ArxosError):
    """Another program already listens on the address and port (exit code 10)."""

    kind = ErrorKind.PORT_IN_USE


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on *host*:*port*; :class:`PortInUseError` if it is taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise InputError(f"{host} is not an address of this machine") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"Port {port} on {host} is already in use by another program; "
                "stop it or choose another port with --port"
            ) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            why = f"Not allowed to listen on port {port} (ports below 1024 need root)"
            raise InputError(why) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise InputError(f"{host} is not an address of this machine") from None
        raise
    sock.set_inheritable(True)
    return sock


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8700,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Run the cloud sync service until Ctrl+C (upgrading its database first)."""
    require_server()
    import uvicorn

    from sync.server.main import create_app

    settings = server_settings(database_url)
    sock = bind(host, port)
    try:
        base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        doc = {"url": base, "docs": f"{base}/docs", "database": safe_url(settings.database_url)}
        out.emit(
            doc,
            lambda: out.show(
                f"ArxOS sync service on {base} (API docs: {base}/docs)",
                f"Database: {doc['database']}",
            ),
        )
        config = uvicorn.Config(create_app(settings), log_level="info")
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
