"""Parse untrusted PDF and DOCX files in a worker process that is killed past a time and memory limit."""

from __future__ import annotations

import ctypes
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

from geolens import settings
from geolens.errors import IngestError

MEMORY_ENV = settings.PARSE_MEMORY_ENV  # how the parent hands the cap to the worker
# A .docx whose parts would inflate past this is refused before python-docx touches it.
MAX_DOCX_UNZIPPED = 200 * 1024 * 1024
PARENT_ENV = "GEOLENS_PARSE_PARENT"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def run_parser(kind: str, data: bytes) -> tuple[str, dict]:
    """Return (text, metadata) of a PDF or DOCX, parsed in a bounded worker process; raises IngestError."""
    timeout, mem_mb = settings.parse_timeout(), settings.parse_memory_mb()
    env = {**os.environ, MEMORY_ENV: str(mem_mb), PARENT_ENV: str(os.getpid())}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "geolens.sandbox", kind],
            input=data,
            capture_output=True,
            timeout=timeout,
            env=env,
            cwd=root,
        )
    except subprocess.TimeoutExpired as exc:
        raise IngestError(f"the {kind.upper()} file took longer than {timeout:.0f} s to read and was refused") from exc
    try:
        status, payload = json.loads(proc.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise IngestError(
            f"the {kind.upper()} file was refused: reading it exceeded the {mem_mb} MB memory limit or crashed the reader"
        ) from exc
    if status == "ok":
        text, meta = payload
        if meta.get("published"):
            meta["published"] = date.fromisoformat(meta["published"])
        return text, meta
    raise IngestError(payload)


def die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process end the moment `parent_pid`, its parent, does, even by kill -9.

    On Linux the kernel sends SIGKILL on the parent's death (PR_SET_PDEATHSIG); elsewhere a thread watches the
    parent id. Either way a worker never goes on analysing for a parent that can no longer take its results.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(0.2)
            os._exit(1)

        threading.Thread(target=watch, name="geolens-parent-watch", daemon=True).start()


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _cap_memory(mem_mb: int) -> None:
    """Let the parser allocate at most `mem_mb` MB on top of what this process already maps.

    The cap is counted from the worker's own footprint (interpreter, parser library, input) rather than from
    zero, so the same setting means the same thing on every machine, whatever the interpreter itself costs.
    """
    try:
        import resource
    except ImportError:  # not a POSIX system: no cap, the time limit still applies
        return
    base = _address_space() or 0
    limit = base + mem_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _worker(kind: str) -> None:
    """Child side: load the parser, read stdin, cap memory, parse, print one JSON line [status, payload]."""
    if os.environ.get(PARENT_ENV, "").isdigit():
        die_with_parent(int(os.environ[PARENT_ENV]))  # killed with the app, not left parsing for nobody
    mem_mb = settings.parse_memory_mb()
    if kind == "pdf":
        import pypdf  # noqa: F401 - loaded before the cap, which then bounds the parsing alone
    else:
        import docx  # noqa: F401
    data = sys.stdin.buffer.read()
    _cap_memory(mem_mb)
    try:
        text, meta = _parse_pdf(data) if kind == "pdf" else _parse_docx(data)
        if meta.get("published"):
            meta["published"] = meta["published"].isoformat()
        out = ["ok", [text, meta]]
    except _ParseError as exc:
        out = ["error", str(exc)]
    except MemoryError:
        out = ["error", f"the {kind.upper()} file was refused: reading it exceeded the {mem_mb} MB memory limit"]
    except Exception as exc:  # noqa: BLE001 - any parser failure is a refused file, reported in one line
        if type(exc).__name__ == "LimitReachedError":  # pypdf's own cap on inflated stream size
            out = ["error", f"the {kind.upper()} file would inflate past safe limits (a decompression bomb?) and was refused"]
        else:
            out = ["error", f"not a readable {kind.upper()} file ({type(exc).__name__})"]
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()


class _ParseError(Exception):
    pass


def _parse_pdf(data: bytes) -> tuple[str, dict]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError, OSError) as exc:
        raise _ParseError("not a readable PDF file (corrupt or truncated)") from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception:  # noqa: BLE001
            ok = 0
        if not ok:
            raise _ParseError("the PDF is encrypted with a password; save an unprotected copy and try again")
    pages = []
    for page in reader.pages:
        pages.append(page.extract_text() or "")
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if len(text.split()) < 5:
        raise _ParseError("the PDF has no text layer (a scan?); run OCR on it first")
    meta: dict = {}
    info = reader.metadata
    if info is not None:
        if info.title:
            meta["title"] = str(info.title)
        try:
            if info.creation_date:
                meta["published"] = info.creation_date.date()
        except Exception:  # noqa: BLE001 - malformed dates are ignored
            pass
    return text, meta


def _parse_docx(data: bytes) -> tuple[str, dict]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_DOCX_UNZIPPED:
                raise _ParseError(
                    f"the DOCX file would unpack to {total / 1048576:.0f} MB (a decompression bomb?) and was refused"
                )
    except zipfile.BadZipFile as exc:
        raise _ParseError("not a readable DOCX file (corrupt or not a Word document)") from exc
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _ParseError("not a readable DOCX file (corrupt or not a Word document)") from exc
    text = "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())
    meta: dict = {}
    props = document.core_properties
    if props.title:
        meta["title"] = props.title
    if props.created:
        meta["published"] = props.created.date()
    return text, meta


if __name__ == "__main__":
    _worker(sys.argv[1])
