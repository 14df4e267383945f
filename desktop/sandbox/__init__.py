"""The platform sandbox: a real HTTP server on 127.0.0.1 speaking each platform's API.

Start it with `python -m desktop.sandbox` or `desktop.sandbox.server.SandboxServer`; see README.md.
"""
