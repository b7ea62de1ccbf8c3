"""advnets lab: a local web page to watch and steer the adversarial game live, and to explore trained runs.

The game it shows is the engine's own (advnets.game), stepped in a background thread; the page only draws.

>>> from advnets.lab import LabServer
>>> server = LabServer("127.0.0.1", 0).start()   # a free port; server.url is the address
"""

from __future__ import annotations

from advnets.lab.server import LabServer, create_app, serve

__all__ = ["LabServer", "create_app", "serve"]
