"""``salessim present NOTEBOOK``: serve a notebook as an app (Voila) on this computer, without code cells.

The page shows the notebook's text, charts, tables and widgets, and runs it afresh for each
visitor; nothing is reachable from other machines (it listens on 127.0.0.1 only). NOTEBOOK
is a path to an ``.ipynb`` file or the name of one of the project's notebooks
(``headcount_vs_dealsize``, ``commission_design``, ``calibrate_from_crm``), found in a
checkout's ``notebooks/`` or, after ``pip install``, where the wheel put them.

Every replication the page runs is kept in the outcome cache on disk
(:mod:`salessim.runs.cache`), so the second showing of the same notebook is quick.
``--prepare`` runs the notebook once without serving it (say, the evening before a client
meeting), so that even the first showing answers from the cache.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import site
import socket
import subprocess
import sys
import time
from pathlib import Path

from salessim.apps import notebook
from salessim.errors import UserError
from salessim.runs.cache import CACHE_ENV, cache_dir

DEFAULT_PORT = 8866
HOST = "127.0.0.1"


def _port(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        v = -1
    if not 1 <= v <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return v


def arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments (``salessim.cli`` creates its parser)."""
    p.description = __doc__
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("notebook", metavar="NOTEBOOK",
                   help=f"an .ipynb file, or a built-in notebook: {', '.join(builtin_notebooks()) or 'none found'}")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT, metavar="N",
                   help=f"port on {HOST} (default {DEFAULT_PORT})")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--quick", action="store_true",
                   help="few replications and short horizons (sets SALESSIM_QUICK=1 for the notebook)")
    p.add_argument("--prepare", action="store_true",
                   help="run the notebook once without serving it, to fill the outcome cache on disk "
                        "(then presenting it shows the answers at once)")


# --------------------------------------------------------------------------- finding the notebook
INSTALLED_NOTEBOOKS = Path("share", "salessim", "notebooks")   # pyproject.toml: [tool.setuptools.data-files]


def installed_notebook_dirs() -> list[Path]:
    """Where a wheel installs the notebooks: ``share/salessim/notebooks`` under ``sys.prefix``
    (and under the user base, for ``pip install --user``, when user site-packages are on)."""
    bases = [Path(sys.prefix)]
    if site.ENABLE_USER_SITE:
        bases.append(Path(site.getuserbase()))
    return [b / INSTALLED_NOTEBOOKS for b in bases]


def notebook_dirs() -> list[Path]:
    """Folders holding the project's notebooks: ``notebooks/`` of the repository, then of the current
    folder, then the installed copies (so a checkout's own, perhaps edited, notebooks win)."""
    dirs = []
    root = notebook.repo_root()
    if root is not None:
        dirs.append(root / "notebooks")
    dirs.append(Path.cwd() / "notebooks")
    dirs += installed_notebook_dirs()
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in out:
            out.append(d.resolve())
    return out


def builtin_notebooks() -> list[str]:
    """Names of the project's notebooks (file stems)."""
    return sorted({p.stem for d in notebook_dirs() for p in d.glob("*.ipynb")})


def resolve_notebook(ref: str) -> Path:
    """The notebook a reference names (a path, or a built-in name); :class:`UserError` if none or not a notebook."""
    p = Path(ref).expanduser()
    if p.is_dir():
        raise UserError("expected a notebook file (.ipynb), found a directory", source=ref)
    if not p.exists() and "/" not in ref and p.suffix in ("", ".ipynb"):
        for d in notebook_dirs():
            cand = d / f"{p.stem}.ipynb"
            if cand.is_file():
                p = cand
                break
    if not p.exists():
        known = ", ".join(builtin_notebooks()) or "none found"
        raise UserError(f"no such notebook file or built-in notebook (built-ins: {known})", source=ref)
    if p.suffix != ".ipynb":
        raise UserError(f"expected a Jupyter notebook (.ipynb), got a {p.suffix or 'file without extension'}",
                        source=ref)
    check_notebook(p)
    return p.resolve()


def check_notebook(path: Path) -> None:
    """Raise :class:`UserError` unless ``path`` holds a Jupyter notebook (JSON with cells, nbformat 4)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError("expected a Jupyter notebook (JSON text), found binary data", source=str(path)) from None
    except json.JSONDecodeError as e:
        raise UserError(f"expected a Jupyter notebook, but the file is not valid JSON ({e.msg} at line {e.lineno})",
                        source=str(path)) from None
    except OSError as e:
        raise UserError(f"cannot read the file ({e.strerror})", source=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or data.get("nbformat") != 4:
        raise UserError("expected a Jupyter notebook (nbformat 4, with a list of cells)", source=str(path))


# --------------------------------------------------------------------------- the port and the server
def port_free(port: int, host: str = HOST) -> bool:
    """True if nothing listens on ``host:port`` and this process may bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def voila_command(path: Path, port: int, open_browser: bool) -> list[str]:
    """The command that serves ``path`` with Voila on ``HOST:port`` without code cells."""
    return [sys.executable, "-m", "voila", str(path), f"--port={port}", f"--Voila.ip={HOST}",
            "--Voila.port_retries=0", f"--Voila.open_browser={open_browser}", "--strip_sources=True",
            "--show_tracebacks=False", "--VoilaConfiguration.http_keep_alive_timeout=30"]


def prepare(path: Path, quick: bool) -> float:
    """Execute the notebook headless (its replications fill the disk cache); return the seconds taken."""
    if cache_dir() is None:
        raise UserError(f"--prepare fills the outcome cache on disk, but {CACHE_ENV}=off turns it off; "
                        f"unset {CACHE_ENV} or point it to a folder", field="--prepare")
    try:
        import nbclient
        import nbformat
    except ImportError:
        raise UserError("preparing needs nbclient: pip install \"salessim[notebooks]\"") from None
    nb = nbformat.read(str(path), as_version=4)
    previous = os.environ.get("SALESSIM_QUICK")
    if quick:
        os.environ["SALESSIM_QUICK"] = "1"   # the kernel inherits this process's environment
    t = time.perf_counter()
    try:
        nbclient.NotebookClient(nb, timeout=3600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    except nbclient.exceptions.CellExecutionError as exc:
        last = (getattr(exc, "evalue", "") or str(exc).strip().splitlines()[-1])
        raise UserError(f"the notebook stopped with an error while preparing: {last}", source=str(path)) from None
    finally:
        if quick:
            if previous is None:
                os.environ.pop("SALESSIM_QUICK", None)
            else:
                os.environ["SALESSIM_QUICK"] = previous
    return time.perf_counter() - t


def handle(args) -> int:
    path = resolve_notebook(args.notebook)
    if args.prepare:
        secs = prepare(path, args.quick)
        again = f"salessim present {args.notebook}" + (" --quick" if args.quick else "")
        print(f"prepared {path.name} in {secs:.0f} s; its replications are cached in {cache_dir()}, "
              f"so `{again}` shows the answers without re-running them")
        return 0
    if not port_free(args.port):
        raise UserError(f"port {args.port} on {HOST} is in use; choose another with --port N", field="--port")
    try:
        import voila  # noqa: F401
    except ImportError:
        raise UserError("presenting needs Voila: pip install \"salessim[notebooks]\"") from None
    env = dict(os.environ)
    if args.quick:
        env["SALESSIM_QUICK"] = "1"
    print(f"serving {path.name} at http://{HOST}:{args.port}/ (code cells hidden; Ctrl-C to stop)", flush=True)
    proc = subprocess.Popen(voila_command(path, args.port, not args.no_browser), env=env, cwd=str(path.parent),
                            preexec_fn=_end_with_parent if sys.platform.startswith("linux") else None)

    def stop(_signum=None, _frame=None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()          # Voila shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        print("stopped", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _end_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the server gets SIGTERM if this process dies, so no server outlives the command."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
