"""Platform connectors: one package per platform, a shared httpx factory and a registry.

Never imports store or sync (enforced by the import contract)."""
