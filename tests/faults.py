"""Real file-system faults for tests: a full disk and a read-only folder, in a private mount namespace.

A root user writes through `chmod 555`, so a folder is made read-only with a read-only bind mount instead, and a
full disk is a small tmpfs. Both live in a mount namespace of their own (`unshare`), so nothing is mounted on the
machine itself and nothing is left behind. Where namespaces are not allowed, the tests skip and say why.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _unshare() -> list[str]:
    # As root a mount namespace is enough; as another user a user namespace maps them to root inside it.
    return ["unshare", "--mount", "--propagation", "private"] + ([] if os.geteuid() == 0 else ["--map-root-user"])


@functools.cache
def mount_namespace_unavailable() -> str | None:
    """Why private mounts cannot be made here (a reason to skip with), or None when they can."""
    if not sys.platform.startswith("linux"):
        return "file-system faults are staged with Linux mount namespaces"
    if shutil.which("unshare") is None:
        return "the unshare tool (util-linux) is not installed"
    probe = subprocess.run(
        [*_unshare(), "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs $d && umount $d && rmdir $d"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        return f"cannot make a private mount namespace here ({probe.stderr.strip()[:120] or probe.returncode})"
    return None


def run_in_private_mounts(setup: list[str], argv: list[str], *, env: dict | None = None, timeout: float = 600):
    """Run `argv` after the shell commands `setup` (mounts), both inside a fresh private mount namespace."""
    script = " && ".join([*setup, "exec " + shlex.join(argv)])
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run(
        [*_unshare(), "sh", "-c", script], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )


def full_disk(folder: Path, mb: int) -> list[str]:
    """Setup commands: `folder` becomes a tmpfs of `mb` MB."""
    return [f"mount -t tmpfs -o size={mb}m tmpfs {shlex.quote(str(folder))}"]


def read_only(folder: Path, *, keep_writable: Path | None = None) -> list[str]:
    """Setup commands: `folder` becomes read-only; `keep_writable` (a file in it) stays writable, as after chmod."""
    f = shlex.quote(str(folder))
    cmds = [f"mount --bind {f} {f}"]
    if keep_writable is not None:
        k = shlex.quote(str(keep_writable))
        cmds.append(f"mount --bind {k} {k}")
    cmds.append(f"mount -o remount,bind,ro {f}")
    return cmds
