"""Put the soundtrack into the clip: video stream copied packet for packet, sound as AAC.

* **Video is never re-encoded**: its packets are copied (``add_stream_from_template``), so
  the picture is bit-identical and muxing costs about as much as reading the file.
* **Container**: MP4 when the video codec fits one (H.264, HEVC, MPEG-4, AV1, VP9) — what
  browsers play — else Matroska, which holds anything.
* **Length**: the soundtrack is rendered to the video stream's length; AAC's encoder delay
  is written as an edit list by FFmpeg's MP4 muxer, so the audio stream reports the same
  duration (± one video frame, checked in the tests).
* **The original sound track** (``--original``): ``replace`` drops it; ``keep`` mixes it
  with the new sounds at its own level; ``duck`` lowers it by up to ``DUCK_DB`` while the
  new sounds play — a side-chain compressor's gain computer with ``ATTACK`` / ``RELEASE``
  smoothing, as a mixer rides a location track under effects. The sum goes through the
  same true-peak ceiling as the mix (``mix/loudness.py``).
* Packets are interleaved by time as they are written (audio encoded just ahead of the
  video packet being copied), so memory stays bounded by the soundtrack itself.
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np

from ..errors import InputError, RenderError
from ..manifest import MuxReport

Original = Literal["keep", "duck", "replace"]
MP4_CODECS = {"h264", "hevc", "mpeg4", "av1", "vp9"}
AAC_BITRATE = 192_000
DUCK_DB = 12.0
ATTACK = 0.05  # seconds
RELEASE = 0.5
ACTIVE_DB = -45.0  # the new soundtrack counts as playing above this (dBFS, 20 ms RMS)


def output_suffix(codec: str) -> str:
    return ".mp4" if codec in MP4_CODECS else ".mkv"


def read_original(path: Path, sample_rate: int, frames: int) -> np.ndarray | None:
    """The clip's first audio stream as (frames, 2) float32 at ``sample_rate``, cut or padded
    to ``frames``; None when the clip has no sound."""
    import av

    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sample_rate)
        chunks = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
        except av.error.FFmpegError as exc:
            raise InputError(f"{path}: the original sound track cannot be decoded ({exc})") from exc
    audio = np.concatenate(chunks, axis=1).T if chunks else np.zeros((0, 2), np.float32)
    out = np.zeros((frames, 2), dtype=np.float32)
    n = min(frames, audio.shape[0])
    out[:n] = audio[:n]
    return out


def duck_gain(soundtrack: np.ndarray, sample_rate: int, depth_db: float = DUCK_DB) -> np.ndarray:
    """Per-sample gain (linear) for the original: 1 where the soundtrack is silent, down to
    −``depth_db`` where it plays; attack/release-smoothed one-pole on the activity."""
    block = max(1, int(0.02 * sample_rate))
    n = soundtrack.shape[0]
    blocks = -(-n // block)
    padded = np.zeros((blocks * block, soundtrack.shape[1]))
    padded[:n] = soundtrack
    rms = np.sqrt(np.mean(padded.reshape(blocks, block, -1) ** 2, axis=(1, 2)))
    active = (20 * np.log10(np.maximum(rms, 1e-12)) > ACTIVE_DB).astype(np.float64)
    up = np.exp(-0.02 / ATTACK)
    down = np.exp(-0.02 / RELEASE)
    env = np.empty_like(active)
    state = 0.0
    for i, a in enumerate(active):
        coeff = up if a > state else down
        state = coeff * state + (1 - coeff) * a
        env[i] = state
    per_sample = np.interp(np.arange(n), np.arange(blocks) * block + block / 2, env)
    return 10 ** (-depth_db * per_sample / 20)


def combine(soundtrack: np.ndarray, original: np.ndarray | None, mode: Original, sample_rate: int,
            ceiling_dbtp: float) -> np.ndarray:
    """The audio that goes into the video, under the true-peak ceiling."""
    from ..mix.loudness import apply_true_peak_ceiling

    if original is None or mode == "replace":
        return soundtrack.astype(np.float32)
    gain = duck_gain(soundtrack, sample_rate) if mode == "duck" else 1.0
    total = soundtrack.astype(np.float64) + original.astype(np.float64) * (gain[:, None] if mode == "duck" else 1.0)
    return apply_true_peak_ceiling(total, sample_rate, ceiling_dbtp, out_dtype=np.float32).samples  # as render_mix: float32 out


def mux(video_in: Path, audio: np.ndarray, sample_rate: int, out_path: Path, *, original: str) -> MuxReport:
    """Copy ``video_in``'s video stream and add ``audio`` (frames, 2) as AAC into ``out_path``."""
    import av

    t0 = time.perf_counter()
    out_path = Path(out_path)
    tmp = out_path.with_name(f".{out_path.stem}.partial{out_path.suffix}")
    try:
        with av.open(str(video_in), metadata_errors="ignore") as inp:
            vin = inp.streams.video[0]
            start = float(vin.start_time * vin.time_base) if vin.start_time is not None else 0.0
            with av.open(str(tmp), "w", format="mp4" if out_path.suffix == ".mp4" else "matroska") as out:
                vout = out.add_stream_from_template(vin)
                aout = out.add_stream("aac", rate=sample_rate, layout="stereo")
                aout.bit_rate = AAC_BITRATE
                packets = _audio_packets(aout, audio, sample_rate, start)
                pending = next(packets, None)
                for packet in _with_dts(inp.demux(vin)):
                    t = float(packet.dts * packet.time_base)
                    while pending is not None and float(pending.pts * pending.time_base) <= t:
                        out.mux(pending)
                        pending = next(packets, None)
                    packet.stream = vout
                    out.mux(packet)
                while pending is not None:
                    out.mux(pending)
                    pending = next(packets, None)
        tmp.replace(out_path)
    except av.error.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise RenderError(f"{out_path}: cannot write the video ({exc})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    video_seconds, audio_seconds = stream_seconds(out_path)
    return MuxReport(file=out_path.name, video_copied=True, audio_codec="aac", audio_seconds=round(audio_seconds, 6),
                     video_seconds=round(video_seconds, 6), original=original,  # type: ignore[arg-type]
                     seconds=round(time.perf_counter() - t0, 4))


def _with_dts(packets):
    """The video packets with a decode timestamp on each, as the MP4 muxer needs.

    Matroska stores none for the packets before the first one it can derive (B-frame
    reordering), and demuxing gives ``dts=None`` there: those are held back until the
    first known dts and numbered backwards from it, one packet duration apart; a gap later
    on continues from the previous packet. The demuxer's final empty packet is dropped.
    """
    pending = []
    last = None
    for packet in packets:
        if packet.size == 0:
            continue
        if packet.dts is None:
            if last is None:
                pending.append(packet)
                continue
            packet.dts = last.dts + (last.duration or 1)
        if pending:
            step = packet.duration or 1
            for i, early in enumerate(pending):
                early.dts = packet.dts - (len(pending) - i) * step
                yield early
            pending = []
        last = packet
        yield packet
    for i, early in enumerate(pending):  # no dts anywhere: decode order = presentation order
        early.dts = early.pts if early.pts is not None else i
        yield early


def _audio_packets(stream, audio: np.ndarray, sample_rate: int, start: float):
    """Encode ``audio`` in the encoder's frame size; pts in samples from the video's start."""
    import av

    size = stream.codec_context.frame_size or 1024
    offset = int(round(start * sample_rate))
    data = np.ascontiguousarray(audio.T.astype(np.float32))
    for i in range(0, data.shape[1], size):
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[:, i:i + size]), format="fltp", layout="stereo")
        frame.sample_rate = sample_rate
        frame.pts = offset + i
        frame.time_base = Fraction(1, sample_rate)
        yield from stream.encode(frame)
    yield from stream.encode(None)


def stream_seconds(path: Path) -> tuple[float, float]:
    """(video, audio) stream durations of a written file, in seconds (0 when absent)."""
    import av

    with av.open(str(path)) as container:
        def seconds(streams) -> float:
            if not streams:
                return 0.0
            s = streams[0]
            if s.duration is not None and s.time_base:
                return float(s.duration * s.time_base)
            last = 0.0
            for packet in container.demux(s):
                if packet.pts is not None:
                    last = max(last, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            container.seek(0)
            return last
        return seconds(container.streams.video), seconds(container.streams.audio)
