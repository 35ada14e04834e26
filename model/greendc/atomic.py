"""Atomic writes: the one way greendc puts files on disk.

Readers (a re-run, a batch client, a planner opening the folder) see either the old or the new
version of a file or folder, never a half-written one, whatever kills the writer.

- ``write_file(path, writer)``: ``writer(tmp)`` writes a hidden temporary sibling
  ``.greendc-<name>.<pid>.<token>``, which is flushed to disk and renamed over ``path``.
  ``write_text`` and ``write_json`` are the common cases.
- ``folder(path)``: a context manager yielding a hidden staging folder, a sibling of ``path``.
  Whatever is written into it replaces the items of the same name in ``path`` (``results.nc``,
  ``csv/`` ... , or ``report.html``, ``figures/``): every other entry of the old folder is carried
  over as a hard link (a copy where links are not possible), then the staged folder takes the
  place of the old one in ONE rename (``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two
  renames, the window between them repaired by ``clean_stale``). An item written as a folder
  replaces the old item as a whole, so no stale file of an earlier run survives in it.
  ``folder(path, drop=names)`` also leaves out the old entries named in ``drop`` that were
  not written again: files derived from what is replaced (a report of earlier results) must
  not survive next to the new results. A
  folder that cannot be swapped (the working directory, a mount point, a read-only parent)
  gets its items swapped one by one instead.
- ``clean_stale(directory)``: removes the ``.greendc-*`` temporaries a killed writer left in a
  directory (only those of processes no longer running on this host) and restores a folder
  whose swap was cut between the two renames. Every writer calls it first.

greendc deletes only what it created: its own temporaries and, after a swap, the previous
version of the items it replaced (entries it did not write are carried over, never dropped).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
import pathlib
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

PREFIX = ".greendc-"
_STALE = re.compile(rf"^{re.escape(PREFIX)}(?P<name>.+)\.(?P<pid>\d+)\.(?P<token>[0-9a-f]{{8}})"
                    r"(?P<old>\.old)?$")


def temp_sibling(path: pathlib.Path, old: bool = False) -> pathlib.Path:
    """Hidden temporary name next to ``path``, tagged with this process id."""
    return path.with_name(f"{PREFIX}{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
                          + (".old" if old else ""))


def write_file(path: str | pathlib.Path, writer: Callable[[pathlib.Path], Any]) -> pathlib.Path:
    """Write ``path`` atomically: ``writer(tmp)`` creates the file, which is synced and renamed."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path.parent)
    tmp = temp_sibling(path)
    try:
        writer(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
    finally:
        _remove(tmp)
    return path


def write_text(path: str | pathlib.Path, text: str) -> pathlib.Path:
    return write_file(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: str | pathlib.Path, data: Any) -> pathlib.Path:
    """JSON with 2-space indent; numpy scalars as numbers, other objects as strings."""
    return write_text(path, json.dumps(data, indent=2, default=_json_default))


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


@contextlib.contextmanager
def folder(path: str | pathlib.Path, drop: Iterable[str] = ()) -> Iterator[pathlib.Path]:
    """Stage items for ``path`` and swap the whole folder in once (see module docstring).

    Entries of the old folder named in ``drop`` and not staged are removed with the swap.

    On an exception nothing changes in ``path`` and the staging folder is removed. Where the
    folder cannot be swapped (it is the working directory or a mount point, or its parent is
    not writable) the items are staged inside it and swapped one by one instead."""
    path = pathlib.Path(os.path.abspath(path))
    drop = set(drop)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"{path}: exists and is not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        clean_stale(path)
    stage, whole = _stage_for(path)
    try:
        yield stage
        for entry in stage.rglob("*"):
            if entry.is_file() and not entry.is_symlink():
                _fsync(entry)
        if not whole:
            staged = list(stage.iterdir())
            for entry in staged:
                _swap(entry, path / entry.name)
            for name in drop - {entry.name for entry in staged}:
                _remove(path / name)
            return
        if path.is_dir():
            for entry in path.iterdir():
                if not (stage / entry.name).exists() and not _STALE.match(entry.name) \
                        and entry.name not in drop:
                    _link_tree(entry, stage / entry.name)
        _swap(stage, path)
    finally:
        _remove(stage)


def _stage_for(path: pathlib.Path) -> tuple[pathlib.Path, bool]:
    """(staging folder, whether the whole folder is swapped)."""
    if path.is_dir() and (path.samefile(os.getcwd()) or path.is_mount()):
        path.mkdir(exist_ok=True)
        stage = temp_sibling(path / path.name)
        stage.mkdir()
        return stage, False
    clean_stale(path.parent)
    stage = temp_sibling(path)
    try:
        stage.mkdir()
        return stage, True
    except PermissionError:
        path.mkdir(exist_ok=True)
        stage = temp_sibling(path / path.name)
        stage.mkdir()
        return stage, False


def _swap(stage: pathlib.Path, path: pathlib.Path) -> None:
    """Put ``stage`` in the place of ``path``; the old version ends at ``stage`` (removed)."""
    if not path.exists():
        os.rename(stage, path)
        return
    if _exchange(stage, path):
        return
    old = temp_sibling(path, old=True)
    os.rename(path, old)  # a kill here leaves `old` without `path`: clean_stale restores it
    os.rename(stage, path)
    os.rename(old, stage)


_RENAME_EXCHANGE = 2


_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None


def _exchange(a: pathlib.Path, b: pathlib.Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where not supported."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _link_tree(src: pathlib.Path, dst: pathlib.Path) -> None:
    """Carry an entry of the old folder into the new one without copying its data."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(src, dst)


def _link_or_copy(src: Any, dst: Any) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def clean_stale(directory: str | pathlib.Path) -> list[pathlib.Path]:
    """Remove the temporaries of killed greendc writers in ``directory``; return them.

    A temporary belongs to a killed writer when its process id is not running on this host.
    An ``.old`` folder whose original is missing (a kill between the two renames of a swap)
    is renamed back instead of removed."""
    directory = pathlib.Path(directory)
    removed = []
    try:
        entries = list(directory.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _STALE.match(entry.name)
        if not match or _alive(int(match["pid"])):
            continue
        original = entry.with_name(match["name"])
        if match["old"] and not original.exists():
            os.rename(entry, original)
            continue
        _remove(entry)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:  # pragma: no cover - platforms without signal 0
        return True
    return True


def _fsync(path: pathlib.Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(path: pathlib.Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


__all__ = ["folder", "write_file", "write_text", "write_json", "clean_stale", "temp_sibling",
           "PREFIX"]
