"""Entry point of `python -m desktop`."""

from desktop.cli import main

raise SystemExit(main())
