"""Writes known personal values through Solvent's real paths, then holds its database open.

Run by tests/security/test_plaintext_scan.py in a process of its own, with production-like settings
(keys from the environment, a file database under a fresh var dir or a fresh PostgreSQL database):

1. migrate;
2. a placement uploaded through the API (the file lands in the upload dir, the import task runs
   at once, the file is discarded), with rows that import and rows rejected for other reasons
   that still carry the date of birth and national id, and one in another format;
3. the same file through the command-line import path, with its error report written to a file
   in the var dir;
4. the demo loader (generated placements through the import, then the demo's contact history);
5. the API, desk and admin pages that show a debtor, and a change through the admin.

It then prints one JSON line (what was written, the demo's national ids) and waits for its
standard input to close before exiting: on SQLite a raw connection stays open meanwhile, so the
WAL is neither checkpointed at close nor deleted while the test scans it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import sys
from datetime import date
from pathlib import Path

import django

from tests.security.plaintext_values import (
    DATE_OF_BIRTH,
    NATIONAL_ID,
    SURNAME,
    national_id_forms,
)

HEADER = (
    "account_number",
    "principal",
    "first_name",
    "last_name",
    "date_of_birth",
    "national_id",
    "phone_mobile",
    "email",
    "cosigner_first_name",
    "cosigner_last_name",
    "cosigner_date_of_birth",
    "cosigner_national_id",
)
COMPACT_ID = NATIONAL_ID.replace("-", "")


def placement_rows(prefix: str) -> list[tuple[str, ...]]:
    """Rows that import, rows rejected for another reason, rows whose DOB is in a wrong form."""
    return [
        # Imported: the debtor with the dashed id, a co-signer with the compact one.
        (
            f"{prefix}-1",
            "1500.00",
            "Ada",
            SURNAME,
            DATE_OF_BIRTH,
            NATIONAL_ID,
            "",
            "",
            "",
            "",
            "",
            "",
        ),
        (
            f"{prefix}-2",
            "250.10",
            "Bea",
            SURNAME,
            "",
            "",
            "",
            "",
            "Cy",
            SURNAME,
            DATE_OF_BIRTH,
            COMPACT_ID,
        ),
        # Rejected for the principal, carrying both values: the error report must not hold them.
        (
            f"{prefix}-3",
            "12,34,5x",
            "Ada",
            SURNAME,
            DATE_OF_BIRTH,
            NATIONAL_ID,
            "",
            "",
            "",
            "",
            "",
            "",
        ),
        # Rejected for a bad phone and a bad e-mail, values elsewhere in the row.
        (
            f"{prefix}-4",
            "10.00",
            "Ada",
            SURNAME,
            DATE_OF_BIRTH,
            COMPACT_ID,
            "not a phone",
            "x@",
            "",
            "",
            "",
            "",
        ),
        # Rejected for the date of birth itself, in the US and compact forms.
        (f"{prefix}-5", "10.00", "Dee", SURNAME, "04/19/1937", NATIONAL_ID, "", "", "", "", "", ""),
        (f"{prefix}-6", "10.00", "Eve", SURNAME, "19370419", COMPACT_ID, "", "", "", "", "", ""),
        (
            f"{prefix}-7",
            "10.00",
            "Fay",
            SURNAME,
            DATE_OF_BIRTH,
            "078-05-112",
            "",
            "",
            "",
            "",
            "",
            "",
        ),
        (
            f"{prefix}-8",
            "10.00",
            "Gus",
            SURNAME,
            "",
            "",
            "",
            "",
            "Hal",
            "",
            "04/19/1937",
            NATIONAL_ID,
        ),
        # The same account twice: both rows rejected as duplicates.
        (
            f"{prefix}-9",
            "10.00",
            "Ida",
            SURNAME,
            DATE_OF_BIRTH,
            NATIONAL_ID,
            "",
            "",
            "",
            "",
            "",
            "",
        ),
        (
            f"{prefix}-9",
            "11.00",
            "Ida",
            SURNAME,
            DATE_OF_BIRTH,
            NATIONAL_ID,
            "",
            "",
            "",
            "",
            "",
            "",
        ),
    ]


def placement_csv(prefix: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(placement_rows(prefix))
    return out.getvalue().encode()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solvent.config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)  # as `solvent demo` does
    call_command("migrate", interactive=False, verbosity=0)
    holder = _hold_sqlite_open(settings.DATABASES["default"])
    report = _write_everything(Path(settings.VAR_DIR), Path(sys.argv[1]))
    print(json.dumps(report), flush=True)  # noqa: T201 - the test reads this line
    sys.stdin.read()  # the test closes our standard input once it has scanned
    if holder is not None:
        holder.close()


def _hold_sqlite_open(database: dict[str, object]) -> sqlite3.Connection | None:
    """A second connection: SQLite checkpoints and deletes the WAL when its last one closes."""
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return None
    holder = sqlite3.connect(str(database["NAME"]))
    holder.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return holder


def _write_everything(var_dir: Path, input_dir: Path) -> dict[str, object]:
    from django.contrib.auth.models import User
    from django.test import Client as HttpClient

    from solvent.audit.services import audit_chain_check
    from solvent.core.models import Role
    from solvent.core.services import staff_role_set
    from solvent.demo.history import demo_history_create
    from solvent.demo.services import demo_users_create
    from solvent.portfolio.imports.services import placement_import
    from solvent.portfolio.models import Account, Client, Debtor, Placement, Team

    client = Client.objects.create(code="scan-bank", name="Scan Bank", country="US", currency="USD")
    operator = User.objects.create_user("scan-operator", password="scan-operator-password")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    staff_role_set(user=operator, role=Role.ADMIN)
    team = Team.objects.create(name="Scan team")
    team.clients.add(client)
    team.members.add(operator)

    http = HttpClient()
    http.force_login(operator)
    uploaded = http.post(
        "/api/placements",
        {"client": client.code, "file": _named(placement_csv("UP"), "scan.csv")},
    )
    assert uploaded.status_code == 202, uploaded.content
    upload = Placement.objects.get(pk=uploaded.json()["id"])

    input_dir.mkdir(parents=True, exist_ok=True)
    source = input_dir / "scan-cli.csv"  # outside the var dir: the creditor's own file
    source.write_bytes(placement_csv("CLI"))
    cli = placement_import(
        client=client, path=source, placed_on=date(2026, 1, 5), errors_path=var_dir / "errors.csv"
    )

    demo_dir = var_dir / "demo"
    generated = input_dir / "demo"
    generated.mkdir()
    demo = _demo_load_keeping_a_copy(demo_dir, generated)
    from solvent.core import clock

    history = demo_history_create(now=clock.now(), share=0.5)
    demo_users_create()
    demo_ids = _demo_national_ids(generated)

    # Ada of row UP-1 and the co-signer Cy of UP-2 share the national id: one debtor, named by
    # the later row (ADR 0036), so she is found by her account rather than her first name.
    debtor = Debtor.objects.get(accounts__account_number="UP-1", last_name=SURNAME)
    account = Account.objects.filter(debtors=debtor).first()
    assert account is not None
    pages = {
        "api_debtor": f"/api/debtors/{debtor.pk}",
        "api_account": f"/api/accounts/{account.pk}",
        "api_errors": f"/api/placements/{upload.pk}/errors",
        "desk_account": f"/accounts/{account.pk}/",
        "admin_debtor": f"/admin/portfolio/debtor/{debtor.pk}/change/",
        "admin_placement": f"/admin/portfolio/placement/{upload.pk}/change/",
    }
    statuses = {name: http.get(url).status_code for name, url in pages.items()}
    shown = {
        name: DATE_OF_BIRTH in text or NATIONAL_ID in text or COMPACT_ID in text
        for name, url in pages.items()
        for text in [http.get(url).content.decode(errors="replace")]
    }
    changed = http.post(
        f"/admin/portfolio/client/{client.pk}/change/",
        {
            "code": client.code,
            "name": "Scan Bank (renamed)",
            "currency": "USD",
            "country": "US",
            "is_active": "on",
        },
    )
    upload.refresh_from_db()
    verification = audit_chain_check()
    return {
        "upload": _counts(upload),
        "cli": _counts(cli),
        "demo": [_counts(p) for p in demo],
        "history_recorded": history.recorded,
        "demo_national_ids": demo_ids,
        "upload_dir_left": sorted(
            str(p) for p in (Path(upload.source_path).parent).glob("*") if p.is_file()
        ),
        "pages": statuses,
        "pages_showing_plaintext": [name for name, hit in shown.items() if hit],
        "admin_change_status": changed.status_code,
        "audit_intact": verification.intact,
        "audit_entries": verification.entries,
    }


def _demo_load_keeping_a_copy(demo_dir: Path, copies: Path) -> list[object]:
    """The demo loader as is; a copy of each file it generates is kept outside the var dir, so the
    scan knows the demo's national ids."""
    import shutil

    from solvent.demo import services as demo

    original = demo.write_placement_csv

    def write_and_copy(path: Path, **options: object) -> object:
        written = original(path, **options)  # type: ignore[arg-type]
        shutil.copy(path, copies / path.name)
        return written

    demo.write_placement_csv = write_and_copy  # type: ignore[assignment]
    try:
        return list(
            demo.demo_portfolio_load(accounts=90, work_dir=demo_dir, as_of=date(2026, 1, 5))
        )
    finally:
        demo.write_placement_csv = original


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _counts(placement: object) -> dict[str, object]:
    return {
        key: getattr(placement, key)
        for key in ("status", "rows_total", "rows_imported", "rows_rejected", "failure")
    }


def _demo_national_ids(demo_dir: Path) -> list[str]:
    """Every national id the demo's generated placements hold, in the forms to scan for."""
    forms: set[str] = set()
    for path in sorted(demo_dir.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("national_id", "cosigner_national_id"):
                    written = (row.get(column) or "").strip()
                    if written:
                        compact = "".join(ch for ch in written.upper() if ch.isalnum())
                        forms.update({written, *national_id_forms(compact)})
    return sorted(forms)


if __name__ == "__main__":
    main()
