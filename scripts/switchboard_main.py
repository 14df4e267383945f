"""Entry point of the packaged bundle (build.spec): the same `main` as the `switchboard` script,
plus `--bundle-check` (scripts/bundle_check.py), which checks the frozen build itself."""

import sys

if __name__ == "__main__":
    if sys.argv[1:] == ["--bundle-check"]:
        import bundle_check

        sys.exit(bundle_check.main())
    from ui.app import main

    sys.exit(main())
