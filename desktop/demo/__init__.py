"""Demo workspaces: a live one over the sandbox, and generated ones for benchmarks."""
