#!/usr/bin/env python3
"""Set up and run Legend50 from a fresh clone with nothing but Python 3.11+.

    python3 bootstrap.py serve     virtualenv + install + database + demo data + serve on :8000 (PORT)
    python3 bootstrap.py test      virtualenv + install + the whole test suite (extra args go to pytest)

Both are safe to run again: the install step is skipped when pyproject.toml has not changed, and
setup keeps the data it finds.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("LEGEND50_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older python3
        sys.exit(f"Legend50 needs Python 3.11 or newer (this is {sys.version.split()[0]}).")
    if not PYTHON.exists():
        print(f"• creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".legend50-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("• installing dependencies (first run takes a few minutes)", flush=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest)


def run(args: list[str], **env) -> int:
    return subprocess.call([str(PYTHON), *args], cwd=ROOT, env={**os.environ, **env})


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test", "setup"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "test":
        ensure_environment("test")
        return run(["-m", "pytest", *rest], DJANGO_SETTINGS_MODULE="config.settings.test")
    ensure_environment("")
    code = run(["-m", "legend50", "setup"])
    if code or command == "setup":
        return code
    return run(["-m", "legend50", "serve", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
