"""`solvent rules list|check`: the CLI face of the engine, through call_command and one real process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from solvent.compliance.domain.docs import GENERATED_BEGIN, GENERATED_END
from tests.compliance.domain.test_scenario_format import WRONG_NEW_VALUES, with_wrong_value
from tests.compliance.services.compliance_fixtures import scenario


def _run(*args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("rules", *args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


def test_check_prints_the_decision_json(tmp_path: Path) -> None:
    path = tmp_path / "early_call.json"
    path.write_text(json.dumps(scenario()))
    out, _ = _run("check", str(path))
    decision = json.loads(out)
    assert decision["allowed"] is False
    assert decision["blocking"][0]["rule_id"] == "regf.inconvenient_time.8am_9pm_local"
    assert decision["earliest_lawful_at"] == "2026-04-15T12:00:00+00:00"


def test_check_reads_standard_input_with_a_dash() -> None:
    body = json.dumps([scenario(at="2026-04-15T08:00:00-04:00")])
    out, _ = _run("check", "-", stdin=body)
    assert [decision["allowed"] for decision in json.loads(out)] == [True]


def test_check_without_a_proposed_time_uses_now() -> None:
    document = scenario()
    del document["proposed"]["at"]
    # 21:30 in Philadelphia: too late for a call.
    out, _ = _run("check", "-", "--now", "2026-04-16T01:30:00+00:00", stdin=json.dumps(document))
    assert json.loads(out)["allowed"] is False


def test_malformed_scenario_prints_every_error_and_exits_2() -> None:
    broken = scenario(at="yesterday")
    broken["proposed"]["channel"] = "pigeon"
    with pytest.raises(CommandError) as raised:
        _run("check", "-", stdin=json.dumps(broken))
    assert raised.value.returncode == 2
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("rules", "check", "-", stdin=io.StringIO(json.dumps(broken)), stderr=err)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("$.proposed.at:") for line in lines)
    assert any(line.startswith("$.proposed.channel:") for line in lines)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        _run("check", str(tmp_path / "absent.json"))


def test_list_prints_the_rules_document() -> None:
    out, _ = _run("list")
    assert "regf.call_frequency.7in7" in out
    assert "12 CFR 1006.14(b)(2)(i)" in out


def test_list_output_refreshes_only_the_generated_part(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "compliance.md"
    target.parent.mkdir()
    target.write_text(
        f"# Guide written by hand\n\n{GENERATED_BEGIN}\nstale rules\n{GENERATED_END}\n\nAfterword.\n"
    )
    _run("list", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Guide written by hand\n")
    assert text.endswith("Afterword.\n")
    assert "stale rules" not in text
    assert "regf.call_frequency.7in7" in text
    fresh = tmp_path / "new.md"
    _run("list", "--output", str(fresh))
    assert "regf.call_frequency.7in7" in fresh.read_text(encoding="utf-8")


def test_the_solvent_command_exits_2_on_a_malformed_scenario() -> None:
    """A real process: the exit status a shell script or CI job sees."""
    broken = json.dumps({"debtor": {}, "proposed": {"channel": "pigeon"}})
    completed = subprocess.run(
        [sys.executable, "-m", "solvent.cli", "rules", "check", "-"],
        input=broken,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert "$.proposed.channel" in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize(
    ("where", "value", "path", "reason"),
    WRONG_NEW_VALUES,
    ids=[f"{where}={value!r}" for where, value, _, _ in WRONG_NEW_VALUES],
)
def test_a_wrong_value_in_a_new_key_prints_its_path_and_exits_2(
    where: str, value: object, path: str, reason: str
) -> None:
    err = io.StringIO()
    body = json.dumps(with_wrong_value(where, value))
    with pytest.raises(CommandError) as raised:
        call_command("rules", "check", "-", stdin=io.StringIO(body), stderr=err)
    assert raised.value.returncode == 2
    assert "invalid scenario" in str(raised.value)
    lines = [line for line in err.getvalue().splitlines() if line.startswith(f"{path}: ")]
    assert lines, err.getvalue()
    assert reason in lines[0]


def test_check_decides_the_second_pass_scenario_file() -> None:
    path = Path(__file__).resolve().parents[1] / "scenarios" / "second_pass_format.json"
    out, _ = _run("check", str(path))
    decisions = json.loads(out)
    assert len(decisions) == len(json.loads(path.read_text(encoding="utf-8")))
    assert all(decision["allowed"] for decision in decisions)
