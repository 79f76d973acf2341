"""``python -m matchkit`` and the ``matchkit`` console script (``matchkit.__main__:main``).

Light on purpose: :func:`main` loads the command line, and with it the solving code, inside
its own Ctrl-C handling, so an interrupt during that first half second exits 130 with one
line instead of a traceback (``import matchkit`` itself loads nothing heavy; see
:mod:`matchkit`).
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Run the ``matchkit`` command (exit codes in :mod:`matchkit.cli.app`)."""
    try:
        from matchkit.cli import app
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted; no files were changed\n")
        raise SystemExit(130) from None
    app()


if __name__ == "__main__":
    main()
