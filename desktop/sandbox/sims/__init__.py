"""One module per simulated platform, each exposing `create_sim(world) -> PlatformSim`."""
