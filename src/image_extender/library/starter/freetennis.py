"""Free Tennis (Debian ``freetennis-common``): a tennis match — the racket striking the ball
(a serve, forehands, a slice, a topspin), the ball bouncing and hitting the net, and the
spectators' applause.

The game names its sounds in Italian (``colpo`` a hit, ``battuta`` the serve, ``taglio`` a
slice, ``palla`` the ball, ``rete`` the net, ``pubblico`` the audience); ``SOUNDS`` says
what each is. The players' grunts and spoken calls ("out", "too late") and the menu clicks
are left out, and so are two 0.06 s ball taps too short to be heard. All are 11 kHz mono.
The copyright file is prose, with no DEP-5 stanzas: it states GPL-2+ for the package,
© 2005 Maurizio Colucci (:class:`~._common.StatedLicence` checks it says so).
"""

from __future__ import annotations

from pathlib import Path

from ._common import StatedLicence, materialize_listed

NAME = "freetennis"
PACKAGE = "freetennis-common"
FOLDER = "usr/share/sounds/freetennis-common/sfx"
LICENCE = StatedLicence(
    licence="GPL-2+",
    author="Maurizio Colucci",
    url="http://prdownloads.sourceforge.net/freetennis/",
    quote="This package is free software; you can redistribute it and/or modify it under the terms of the GNU General "
          "Public License as published by the Free Software Foundation; either version 2 of the License, or (at your "
          "option) any later version.",
)
HIT = ["tennis", "racket", "ball", "hit", "sport"]
SOUNDS = {
    "colpo": ("tennis ball hit with a racket", HIT, "one-shot"),
    "battuta3": ("tennis serve, the racket hitting the ball", [*HIT, "serve"], "one-shot"),
    "fh": ("tennis forehand, the racket hitting the ball", [*HIT, "forehand"], "one-shot"),
    "taglio": ("tennis slice, the racket cutting under the ball", [*HIT, "slice"], "one-shot"),
    "spin": ("tennis topspin shot, the racket brushing up the ball", [*HIT, "topspin"], "one-shot"),
    "palla": ("tennis ball bouncing on the court", ["tennis", "ball", "bounce", "court", "sport"], "one-shot"),
    "rete": ("tennis ball hitting the net", ["tennis", "ball", "net", "sport"], "one-shot"),
    "net": ("tennis ball hitting the net", ["tennis", "ball", "net", "sport"], "one-shot"),
    "pubblico": ("tennis spectators applauding a point", ["applause", "audience", "spectators", "clapping", "tennis"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "", SOUNDS, "Free Tennis sound", "Free Tennis", stated=LICENCE)
