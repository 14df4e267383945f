"""The sandbox ASGI app: every sim under /<platform>, the admin API, the fault middleware.

Sims are listed by module name (not discovered) so a frozen build can name them; a module
that does not exist yet is skipped, so the sandbox runs while platforms are being added.
"""

from __future__ import annotations

import importlib
import logging

from starlette.applications import Starlette
from starlette.routing import Mount

from desktop.sandbox.admin import admin_routes
from desktop.sandbox.faults import (
    ASGIApp,
    FaultInjector,
    FaultMiddleware,
    FaultPlan,
    Receive,
    Scope,
    Send,
)
from desktop.sandbox.state import Sandbox
from desktop.sandbox.world import PlatformSim, World

log = logging.getLogger(__name__)

SIM_MODULES: dict[str, str] = {
    "mastodon": "desktop.sandbox.sims.mastodon",
    "bluesky": "desktop.sandbox.sims.bluesky",
    "x": "desktop.sandbox.sims.x",
    "facebook": "desktop.sandbox.sims.facebook",
    "instagram": "desktop.sandbox.sims.instagram",
}


def load_sims(world: World) -> dict[str, PlatformSim]:
    sims: dict[str, PlatformSim] = {}
    for platform, module_name in SIM_MODULES.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # the sim exists but one of its imports is broken: say so
            log.info("sandbox: no sim for %s yet", platform)
            continue
        sims[platform] = module.create_sim(world)
    return sims


class SandboxApp:
    """The top-level ASGI app. The fault middleware is outermost on purpose: it needs the
    server's own `send` to drop a connection."""

    def __init__(self, seed: int = 0, plan: FaultPlan | None = None) -> None:
        world = World(seed=seed)
        sims = load_sims(world)
        self.sandbox = Sandbox(world=world, sims=sims, faults=FaultInjector(plan))
        routes = [Mount(f"/{name}", routes=sim.routes()) for name, sim in sims.items()]
        routes.append(Mount("/__sandbox__", routes=admin_routes(self.sandbox)))
        self.starlette = Starlette(routes=routes)
        self.starlette.state.sandbox = self.sandbox
        self._app: ASGIApp = FaultMiddleware(self.starlette, self.sandbox.faults, set(sims))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


def create_app(seed: int = 0, plan: FaultPlan | None = None) -> SandboxApp:
    return SandboxApp(seed=seed, plan=plan)
