#!/usr/bin/env python3
"""Installs the feature extractors behind radcheck's adapters into adapters/.venv.

Both tools share one virtual environment (their dependencies are compatible; the tested
versions are pinned in constraints.txt), which is where adapter.toml's `{python}` placeholder
points:

  1. MIRP 2.7 (mirp/requirements.txt);
  2. PyRadiomics 3.0.1: its build requirements first (pyradiomics/requirements-build.txt),
     then the package without build isolation, as its setup.py imports numpy and versioneer.

Usage: python3 adapters/install.py [--venv DIR] [--python PYTHON] [--recreate] [--check]

--check only verifies an existing environment (both adapters print their version) and exits
non-zero when it does not. A complete environment is left as it is unless --recreate is given.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ADAPTERS = Path(__file__).resolve().parent
EXPECTED = {"mirp": "mirp 2.7.0", "pyradiomics": "pyradiomics 3.0.1"}


def venv_python(venv):
    """The interpreter of a virtual environment."""
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(argv):
    """Runs a command, echoing it; raises on failure."""
    print("+ " + " ".join(str(a) for a in argv), flush=True)
    subprocess.run([str(a) for a in argv], check=True)


def versions(python):
    """{adapter: version line} for the adapters that answer --version."""
    found = {}
    for name in EXPECTED:
        result = subprocess.run(
            [str(python), str(ADAPTERS / name / "run.py"), "--version"],
            capture_output=True, text=True)
        if result.returncode == 0:
            found[name] = result.stdout.strip()
    return found


def complete(python):
    """Whether the environment runs both adapters at the expected versions."""
    return python.exists() and versions(python) == EXPECTED


def install(venv, base_python):
    """Creates the environment and installs both tools."""
    constraints = ADAPTERS / "constraints.txt"
    run([base_python, "-m", "venv", venv])
    python = venv_python(venv)
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "-c", constraints]
    run(pip + ["-r", ADAPTERS / "mirp" / "requirements.txt"])
    run(pip + ["-r", ADAPTERS / "pyradiomics" / "requirements-build.txt"])
    run(pip + ["--no-build-isolation", "-r", ADAPTERS / "pyradiomics" / "requirements.txt"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ADAPTERS / ".venv",
                        help="virtual environment to create (default: adapters/.venv)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter that creates it (default: this one)")
    parser.add_argument("--recreate", action="store_true", help="delete an existing environment first")
    parser.add_argument("--check", action="store_true", help="only check the environment")
    args = parser.parse_args(argv)

    venv = args.venv.resolve()
    python = venv_python(venv)
    if args.check:
        found = versions(python) if python.exists() else {}
        for name, expected in EXPECTED.items():
            print(f"{name}: {found.get(name, 'not installed')} (expected {expected})")
        return 0 if found == EXPECTED else 1
    if complete(python) and not args.recreate:
        print(f"{venv}: {', '.join(EXPECTED.values())} already installed")
        return 0
    if venv.exists():
        shutil.rmtree(venv)

    start = time.monotonic()
    install(venv, args.python)
    found = versions(python)
    if found != EXPECTED:
        print(f"installed, but the adapters report {found}, expected {EXPECTED}", file=sys.stderr)
        return 1
    print(f"{venv}: {', '.join(found.values())} installed in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
