"""The ``mowakaba`` command: manage.py with the settings preset.

``mowakaba serve`` runs the web server (gunicorn) and a background worker side by side;
every other sub-command is a Django management command (``migrate``, ``demo``, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mowakaba.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mowakaba", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
