"""`advnets lab`: a local web page to watch and steer the adversarial game live, offline."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from advnets.cli import options
from advnets.cli.app import app, err, out

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@app.command()
def lab(
    port: Annotated[int, options.port("port to listen on")] = 8765,
    host: Annotated[
        str, typer.Option(help="address to listen on; anything but 127.0.0.1 exposes the lab to your network")
    ] = "127.0.0.1",
    threads: Annotated[
        int, options.threads("CPU threads for the nets (small nets: 1 is fastest)", low=1)
    ] = 1,
) -> None:
    """Watch and steer the adversarial game live in your browser, and explore trained runs."""
    import torch

    from advnets.lab import serve

    torch.set_num_threads(threads)

    def ready(url: str) -> None:
        # Warned once the address is known to work: a host that cannot be used gets its one-line error only.
        if host not in LOCAL_HOSTS:
            err.print(
                f"[bold yellow]warning:[/] listening on {escape(host)}: anyone who can reach this machine "
                "can use the lab (it has no login) and open run directories on it. Keep the default "
                "127.0.0.1 unless you mean it.",
                highlight=False,
            )
        out.print(f"advnets lab: open {url} in a browser (Ctrl-C stops it)", highlight=False)

    serve(host, port, on_ready=ready)
