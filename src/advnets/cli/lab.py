"""`advnets lab`: a local web page to watch and steer the adversarial game live, offline."""

from __future__ import annotations

from typing import Annotated

import typer

from advnets.cli.app import app, err, out

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@app.command()
def lab(
    port: Annotated[int, typer.Option(help="port to listen on (0: any free port)")] = 8765,
    host: Annotated[
        str, typer.Option(help="address to listen on; anything but 127.0.0.1 exposes the lab to your network")
    ] = "127.0.0.1",
    threads: Annotated[int, typer.Option(help="CPU threads for the nets (small nets: 1 is fastest)")] = 1,
) -> None:
    """Watch and steer the adversarial game live in your browser, and explore trained runs."""
    import torch

    from advnets.errors import AdvnetsError
    from advnets.lab import serve

    if threads < 1:
        raise AdvnetsError(f"--threads must be at least 1, not {threads}")
    torch.set_num_threads(threads)
    if host not in LOCAL_HOSTS:
        err.print(
            f"[bold yellow]warning:[/] listening on {host}: anyone who can reach this machine can use "
            "the lab (it has no login) and open run directories on it. Keep the default 127.0.0.1 "
            "unless you mean it.",
            highlight=False,
        )

    def ready(url: str) -> None:
        out.print(f"advnets lab: open {url} in a browser (Ctrl-C stops it)", highlight=False)

    serve(host, port, on_ready=ready)
