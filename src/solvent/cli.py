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
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["solvent", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as error:
        # A configuration problem is the operator's to fix: say what, not a traceback.
        sys.stderr.write(f"solvent: {error}\n")
        raise SystemExit(2) from None
    except Exception as error:
        if _is_missing_database(error):
            from django.conf import settings

            sys.stderr.write(
                f"solvent: no Solvent database at {settings.DATABASES['default']['NAME']}: run "
                "`solvent demo` (or `solvent migrate`) in the folder that should hold it, or set "
                "SOLVENT_VAR_DIR to the folder that holds solvent.sqlite3, or DATABASE_URL.\n"
            )
            raise SystemExit(2) from None
        raise


def _is_missing_database(error: Exception) -> bool:
    from django.db import OperationalError

    text = str(error)
    return isinstance(error, OperationalError) and (
        "unable to open database file" in text or text.startswith("no such table")
    )


if __name__ == "__main__":
    main()
