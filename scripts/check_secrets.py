#!/usr/bin/env python3
"""The secrets gate: fail on any secret-looking string that ``.secrets.baseline`` does not list as audited.

``detect-secrets`` (its plugins and filters as recorded in the baseline) scans every file git would
commit: tracked files and new files that ``.gitignore`` does not exclude. The gate fails when

* a finding is not in the baseline (a new secret, or a new false positive nobody looked at), or
* a baseline entry is not audited as a false positive (``"is_secret": false``).

Findings match the baseline by file, type and hash of the value, so moving a line does not fail
the gate. Only the file, line and type are printed, never the value.

A false positive in code takes an inline ``# pragma: allowlist secret`` comment; in a data file
(JSON fixtures) run ``--update``, then ``.venv/bin/detect-secrets audit .secrets.baseline`` and
answer "no" for each fake secret.

Usage::

    python scripts/check_secrets.py                  # the gate (make security)
    python scripts/check_secrets.py --update         # rescan into the baseline, keeping audit results
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from detect_secrets.core import baseline
from detect_secrets.core.secrets_collection import SecretsCollection

REPO_ROOT = Path(__file__).resolve().parent.parent
BASELINE = ".secrets.baseline"


def committable_files(root: Path) -> list[str]:
    """Files git would commit under ``root``: tracked ones and untracked ones not ignored."""
    # git from PATH with fixed arguments and no shell: nothing here comes from input.
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(name for name in set(listing.split("\0")) if name and (root / name).is_file())


PARALLEL_FROM = 50


def load_baseline(path: Path) -> SecretsCollection:
    """Read the baseline; this also configures detect-secrets' plugins and filters from it."""
    return baseline.load(baseline.load_from_file(str(path)), filename=path.name)


def scan(root: Path, files: Sequence[str]) -> SecretsCollection:
    # From the root with relative names: a finding's identity includes its file name as given.
    with contextlib.chdir(root):
        found = SecretsCollection()
        if len(files) >= PARALLEL_FROM:
            found.scan_files(*files)  # one process per core
        else:
            # A few files: no worker pool. Forking from a process with threads (a test run) can deadlock.
            for name in files:
                found.scan_file(name)
    return found


def check(root: Path, baseline_path: Path, files: Sequence[str] | None = None) -> list[str]:
    """Problems found (empty when the gate passes), one ``path:line: message`` line each."""
    known = load_baseline(baseline_path)
    found = scan(root, committable_files(root) if files is None else files)
    problems = [
        f"{name}:{secret.line_number}: {secret.type} is not in {baseline_path.name} (a new secret?)"
        for name, secret in found - known
    ]
    for name, secret in known:
        if secret.is_secret is None:
            problems.append(f"{name}:{secret.line_number}: {secret.type} in {baseline_path.name} is not audited")
        elif secret.is_secret:
            problems.append(
                f"{name}:{secret.line_number}: {secret.type} is audited as a real secret: remove it and rotate it"
            )
    return problems


def update(root: Path, baseline_path: Path) -> int:
    """Rescan into the baseline, keeping earlier audit results; return how many entries need auditing."""
    old = load_baseline(baseline_path)
    found = scan(root, committable_files(root))
    found.merge(old)
    baseline.save_to_file(found, str(baseline_path))
    return sum(1 for _, secret in found if secret.is_secret is None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the repository to scan")
    parser.add_argument("--baseline", type=Path, help=f"default: <root>/{BASELINE}")
    parser.add_argument("--update", action="store_true", help="rescan into the baseline, keeping audit results")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    baseline_path: Path = args.baseline or root / BASELINE

    if args.update:
        unaudited = update(root, baseline_path)
        print(f"{baseline_path.name} updated; {unaudited} entr{'y' if unaudited == 1 else 'ies'} to audit")
        return 0

    problems = check(root, baseline_path)
    for line in problems:
        print(line)
    if problems:
        print(
            "Mark a false positive in code with `# pragma: allowlist secret`, or run "
            "`python scripts/check_secrets.py --update` and `detect-secrets audit .secrets.baseline`.",
            file=sys.stderr,
        )
        return 1
    print("secrets ok: no unaudited findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
