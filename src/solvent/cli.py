"""The `solvent` command: Django's management commands with Solvent's settings preset.

solvent migrate
solvent import placements FILE --client CODE
solvent rules list | solvent rules check SCENARIO.json
solvent audit verify | solvent audit export (--account N | --from DATE --to DATE)
solvent demo
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solvent.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["solvent", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
