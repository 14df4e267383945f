"""The state of one running sandbox, shared by the admin API, the traffic generator and
in-process users (the UI demo, tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.sandbox.faults import FaultInjector
from desktop.sandbox.world import PlatformSim, World


@dataclass
class Sandbox:
    """Everything the admin API and the traffic generator reach: one per running server."""

    world: World
    sims: dict[str, PlatformSim]
    faults: FaultInjector
    extras: dict[str, Any] = field(default_factory=dict)  # e.g. the traffic generator

    def reset(self) -> None:
        """Back to the seeded state: sims re-seed, created log cleared, no faults, limits
        and token switches back to normal (issued tokens stay valid)."""
        with self.world.lock:
            self.world.created.clear()
        self.faults.clear()
        self.world.limits.reset()
        self.world.tokens.restore_all()
        for sim in self.sims.values():
            sim.reset()
