"""A web process never loads the count's machinery (numba, llvmlite, the Equal Shares kernels).

import-linter checks the static imports of web-facing modules; this test starts a fresh
interpreter as gunicorn would (settings, every app's ``ready()``, the WSGI application, every URL
pattern and so every view) and looks at what was really imported.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
from config.wsgi import application
get_resolver().url_patterns
roots = ("numba", "llvmlite", "budgeting")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in roots)))
"""


def _modules_loaded_by_a_web_process() -> set[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_web_process_loads_no_compiled_counting_rules():
    loaded = _modules_loaded_by_a_web_process()
    assert "budgeting.models" in loaded  # the process really loaded the app
    assert {m for m in loaded if m.startswith(("numba", "llvmlite"))} == set()
    assert "budgeting.tally.mes_kernels" not in loaded
    assert "budgeting.tally.rules" not in loaded
