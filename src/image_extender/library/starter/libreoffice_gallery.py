"""LibreOffice's gallery sounds (Debian ``libreoffice-common``): a gong, a cow mooing, a horse
whinnying, an audience applauding, a train's whistle, birds calling and singing, conga
drums, a small bell.

The gallery's 35 short WAV files (mono, most at 11025 Hz) are meant for slide shows; about
a third are recordings of the world, the rest are effects. Nobody listened to them: each
was judged from its name, length and rate, its spectrogram, its spectral peaks and, for a
pitched sound, its pitch over time, and only a file whose measurements agree with its name
is kept. The gong's partials are inharmonic (205, 620, 708, 909, 1084, 1351 Hz…) and it
rings down over 8.7 s; the cow's moo is one harmonic call at 109-116 Hz lasting 1.5 s; the
horse's whinny carries two independent pitches, a series on 600 Hz and a second voice
near 2 kHz with its own contour, as a horse's whinny does; the applause is 2.5 s of dense
broadband noise dying away by 4 s; the train's whistle is a steady chord (593, 655, 802 Hz)
with a hiss that starts and stops with it, ringing on for 0.8 s; ``nature1`` and
``nature2`` are short sliding whistles and calls at 0.5-3.5 kHz, the second opening with
a swelling whistle held for a second, as birds sing; ``kongas`` is eight low hand-drum
strokes (150-400 Hz) and a quick roll, ending in a sliding hooting note the name does not
explain; ``kling`` is one strike whose partials stand at 1 : 1.5 : 2 : 3 : 3.9, a bell's.
Left out: ``glasses`` (its partials sit within 2 cents of equal-tempered notes, a
G-sharp minor chord with exact octaves, which clinking glasses cannot make: a tuned or
synthetic chord, not a toast), ``theetone`` (tuned partials too, struck one after
another), ``romans`` (a brass-like fanfare of notes), ``strom`` (pulsed electric buzz),
``drama`` (three musical stings spliced together), ``falling`` (a cartoon falling
whistle), ``roll``, ``top``, ``soft``, ``untie``, ``curve``, ``pluck`` and the plainly
synthetic ``apert*``, ``beam*``, ``space*``, ``laser``, ``left``, ``ok``, ``ups``,
``sparcle``, ``wallewal`` and ``explos``.

The DEP-5 copyright file's ``Files: *`` stanza covers the gallery's upstream folder
``extras/source/gallery/sounds`` (no other stanza names it): MPL-2.0, © Oracle and/or its
affiliates and the LibreOffice contributors. The package is large (24 MB, 59 MB unpacked), so
only the sound folder and the doc folder are unpacked.
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "libreoffice_gallery"
PACKAGE = "libreoffice-common"
FOLDER = "usr/lib/libreoffice/share/gallery/sounds"
UPSTREAM = "extras/source/gallery/sounds/"  # where the DEP-5 file's paths put these files
SOUNDS = {
    "gong": ("a gong struck, its deep ring fading slowly over eight seconds",
             ["gong", "struck", "metal", "percussion"], "one-shot"),
    "cow": ("a cow mooing, one long low moo", ["cow", "moo", "cattle", "farm"], "one-shot"),
    "horse": ("a horse whinnying, a high neigh of about two seconds", ["horse", "whinny", "neigh"], "one-shot"),
    "applause": ("an audience applauding, a few seconds of clapping that then fades out",
                 ["applause", "clapping", "audience", "crowd"], "one-shot"),
    "train": ("a train's whistle blowing a steady chord for under two seconds",
              ["train", "whistle", "railway", "locomotive"], "one-shot"),
    "nature1": ("small songbirds calling, a few short calls and quick sliding notes",
                ["songbird", "birds", "bird call", "chirp"], "one-shot"),
    "nature2": ("a songbird singing, one long held note and then quick sliding notes", ["songbird", "birdsong"],
                "one-shot"),
    "kongas": ("conga drums played by hand, a short pattern of strokes ending in a sliding, hooting note",
               ["conga", "drum", "drums", "hand drum", "percussion"], "one-shot"),
    "kling": ("a small bell struck once, a light high ding ringing out for two seconds", ["small bell", "ding"],
              "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, UPSTREAM, SOUNDS, "LibreOffice gallery sound",
                              "LibreOffice", unpack_only=True)
