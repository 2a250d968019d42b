"""The `mowakaba` console script and its commands."""

from __future__ import annotations

import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command


def test_the_console_script_is_installed_next_to_python() -> None:
    script = Path(sys.executable).parent / "mowakaba"
    assert script.exists() or shutil.which("mowakaba")
    out = subprocess.run([str(script) if script.exists() else "mowakaba", "help"], capture_output=True, text=True,
                         check=True).stdout
    for command in ("serve", "demo", "migrate", "createsuperuser", "territory", "establishments"):
        assert command in out


def test_establishments_list_prints_the_codes(db: Any) -> None:
    out = StringIO()
    call_command("establishments", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("code\ttype\tcommune")
    assert any(line.startswith("EST-06.141-001\tcas\t") for line in lines)


def test_an_import_from_the_cli_needs_to_say_whose_rights(db: Any, tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("code,type,delegation,commune\n")
    with pytest.raises(CommandError, match="--as-user"):
        call_command("establishments", "import", str(f))


def test_an_import_from_the_cli_as_a_user_is_journalled(db: Any, tmp_path: Path) -> None:
    from mowakaba.audit.models import JournalEntry

    f = tmp_path / "x.csv"
    f.write_text("code,name_fr,name_ar,type,delegation,commune\nCLI-1,Centre,مركز,cas,DEL-06.141,06.141.01.0\n")
    call_command("establishments", "import", str(f), "--as-user", "headoffice", stdout=StringIO())
    entry = JournalEntry.objects.filter(action="orgunit.import").latest("at")
    assert entry.via == "cli" and entry.actor_label == "headoffice"


def test_demo_data_goes_only_into_an_empty_database(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "small", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "agent.casa" in out.getvalue()


def test_production_settings_pass_the_deployment_checks() -> None:
    import os

    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 20 + "-production-secret-" + "z" * 30,
           "ALLOWED_HOSTS": "mowakaba.example.ma", "DJANGO_SETTINGS_MODULE": "mowakaba.settings"}
    env.pop("HTTPS", None)
    result = subprocess.run([sys.executable, "-m", "mowakaba", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
