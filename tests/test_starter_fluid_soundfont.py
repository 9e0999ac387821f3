"""FluidR3 GM's recorded notes (issue #15, "every vocabulary entry backed by >= 3 verified
recordings": a banjo and a steel drum had one, an old telephone two): samples read out of
the Debian package's SoundFont as recorded, credited by its prose copyright file, found
with the vocabulary's own queries."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from starter_folders import assert_real_credited_files, finder_of, materialized, records, verified_for
from image_extender.library.debian import FetchError
from image_extender.library.starter import fluid_soundfont


@pytest.fixture(scope="module")
def folder() -> Path:
    return materialized([fluid_soundfont])[fluid_soundfont.NAME]


def test_every_listed_sample_is_a_real_credited_file(folder):
    recs = records(folder)
    assert len(recs) == len(fluid_soundfont.SOUNDS)
    assert_real_credited_files(folder, recs, min_rate=22050, min_frames_per=5)
    assert {(r.licence, r.author) for r in recs.values()} == {("MIT", "Frank Wen")}
    import soundfile as sf

    assert sf.info(str(folder / "steel_drum_c_6.wav")).channels == 2  # its (L) and (R) samples, joined
    assert sf.info(str(folder / "telephone.wav")).channels == 1


@pytest.mark.parametrize("label, word, least", [("banjo", "banjo", 3), ("steel drum", "steel drum", 3),
                                                ("old telephone", "telephone", 1)])
def test_a_banjo_a_steel_drum_and_an_old_telephone_are_found(folder, tmp_path, label, word, least):
    finder = finder_of(fluid_soundfont.NAME, folder, tmp_path, len(fluid_soundfont.SOUNDS))
    found = verified_for(finder, label)
    assert len(found) >= least and all(word in n for n in found), found


def _sf2(tmp_path: Path, names_and_pcm: list[tuple[str, np.ndarray]], rate: int = 22050) -> Path:
    """A minimal SoundFont 2 file: an smpl chunk and an shdr table (with its EOS record)."""
    pcm = b"".join(p.astype("<i2").tobytes() + b"\0" * 92 for _, p in names_and_pcm)  # 46 zero samples after each
    headers, start = b"", 0
    for name, p in [*names_and_pcm, ("EOS", np.zeros(0))]:
        end = start + len(p)
        headers += struct.pack("<20sIIIIIBbHH", name.encode(), start, end, start, end, rate if p.size else 0, 60, 0, 0, 1)
        start = end + 46

    def chunk(cid: bytes, body: bytes) -> bytes:
        return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) & 1 else b"")

    body = b"sfbk" + chunk(b"LIST", b"sdta" + chunk(b"smpl", pcm)) + chunk(b"LIST", b"pdta" + chunk(b"shdr", headers))
    path = tmp_path / "test.sf2"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_samples_are_read_by_name_and_a_stereo_pair_is_joined(tmp_path):
    left, right = np.full(2205, 8000, np.int16), np.full(2205, -8000, np.int16)
    path = _sf2(tmp_path, [("Steel Drum C 6(L)", left), ("Steel Drum C 6(R)", right), ("Telephone", left[:1000])])
    found = fluid_soundfont.samples(path)
    assert [(s.name, len(s.pcm)) for s in found] == [("Steel Drum C 6(L)", 2205), ("Steel Drum C 6(R)", 2205), ("Telephone", 1000)]
    clips = {c.rel: c for c in fluid_soundfont.clips(found, ("MIT", "Frank Wen", "-"))}
    assert sorted(clips) == ["steel_drum_c_6.wav", "telephone.wav"]
    import io

    import soundfile as sf

    audio, rate = sf.read(io.BytesIO(clips["steel_drum_c_6.wav"].data))
    assert rate == 22050 and audio.shape == (2205, 2)
    assert audio[0, 0] == pytest.approx(8000 / 32768, abs=1e-4) and audio[0, 1] == pytest.approx(-8000 / 32768, abs=1e-4)
    assert abs(audio[-1]).max() < 1e-3  # the note's cut end fades out


def test_a_file_that_is_no_soundfont_or_a_truncated_one_is_refused(tmp_path):
    path = tmp_path / "not.sf2"
    path.write_bytes(b"RIFF\0\0\0\0WAVEfmt ")
    with pytest.raises(FetchError, match="not a SoundFont 2 file"):
        fluid_soundfont.samples(path)
    whole = _sf2(tmp_path, [("Telephone", np.full(1000, 8000, np.int16))]).read_bytes()
    path.write_bytes(whole[:-10])  # the sample table's end cut off
    with pytest.raises(FetchError, match="truncated SoundFont"):
        fluid_soundfont.samples(path)
