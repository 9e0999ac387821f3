"""The timeline's playhead: a line over ``timeline.png`` that follows the mix player, and seeking by click.

The timeline is a still PNG (``report/timeline.py``) drawn at a fixed inch layout, so where
second *t* falls in it is known without asking the server: the lanes span from
``HEADER_WIDTH`` to ``FIG_WIDTH − RIGHT_MARGIN`` inches across (``xlim(0, duration)``) and
from ``TOP_BLOCK`` inches below the top to ``AXIS_BLOCK + COLOURBAR_BLOCK`` inches above the
bottom, at ``DPI`` pixels per inch. The script reads those fractions from here (one source
of truth) and does the rest in the browser, where the player is:

* every animation frame it places a thin line at the player's ``currentTime`` over the
  image as the browser shows it (``object-fit: contain`` letterboxing included), so the
  line moves while the mix plays, when the user scrubs the player, and when a new take
  replaces the ``<audio>`` element;
* a click on the lanes sets the player's ``currentTime`` (the player's own waveform
  cursor follows, as it listens to its media element).

The ``<audio>`` element of Gradio's player lives in a shadow root, hence the walk.
"""

from __future__ import annotations

import json

from ..report.timeline import AXIS_BLOCK, COLOURBAR_BLOCK, DPI, FIG_WIDTH, HEADER_WIDTH, RIGHT_MARGIN, TOP_BLOCK

LAYOUT = {
    "left": HEADER_WIDTH / FIG_WIDTH,  # fraction of the image width where second 0 is
    "right": (FIG_WIDTH - RIGHT_MARGIN) / FIG_WIDTH,  # ... and where the mix ends
    "top": TOP_BLOCK * DPI,  # natural pixels above the first lane (title, legend)
    "bottom": (AXIS_BLOCK + COLOURBAR_BLOCK) * DPI,  # natural pixels below the mix lane
}

_SCRIPT = """
() => {
  const L = __LAYOUT__;
  let audio = null;
  const findAudio = () => {
    if (audio && audio.isConnected) return audio;
    audio = null;
    const walk = (root) => { for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'AUDIO' && el.currentSrc) { audio = el; return; }
      if (el.shadowRoot) { walk(el.shadowRoot); if (audio) return; } } };
    const host = document.getElementById('mix');
    if (host) walk(host);
    return audio;
  };
  // the part of the <img> box the picture fills (object-fit: contain centres it)
  const lanes = (img) => {
    const r = img.getBoundingClientRect();
    if (!img.naturalWidth || !r.width || !r.height) return null;
    const s = Math.min(r.width / img.naturalWidth, r.height / img.naturalHeight);
    const w = img.naturalWidth * s, h = img.naturalHeight * s;
    const x0 = r.left + (r.width - w) / 2, y0 = r.top + (r.height - h) / 2;
    return {left: x0 + L.left * w, right: x0 + L.right * w, top: y0 + L.top * s, bottom: y0 + h - L.bottom * s};
  };
  const line = document.createElement('div');
  line.id = 'playhead';
  line.setAttribute('aria-hidden', 'true');
  line.style.cssText = 'position:absolute;width:2px;margin-left:-1px;background:#d62728;pointer-events:none;' +
                       'z-index:5;display:none;box-shadow:0 0 2px rgba(255,255,255,.9)';
  document.body.appendChild(line);
  const place = () => {
    const img = document.querySelector('#timeline img');
    const a = findAudio();
    const box = img && lanes(img);
    if (!box || !a || !(a.duration > 0)) { line.style.display = 'none'; }
    else {
      const t = Math.min(Math.max(a.currentTime / a.duration, 0), 1);
      line.style.display = 'block';
      line.style.left = (window.scrollX + box.left + t * (box.right - box.left)) + 'px';
      line.style.top = (window.scrollY + box.top) + 'px';
      line.style.height = (box.bottom - box.top) + 'px';
      line.dataset.time = a.currentTime.toFixed(3);
      img.style.cursor = 'pointer';
      img.title = 'Click to play from here';
    }
    requestAnimationFrame(place);
  };
  requestAnimationFrame(place);
  document.addEventListener('click', (ev) => {
    const img = ev.target.closest && ev.target.closest('#timeline img');
    const a = findAudio();
    if (!img || !a || !(a.duration > 0)) return;
    const box = lanes(img);
    if (!box || ev.clientX < box.left || ev.clientX > box.right) return;
    a.currentTime = (ev.clientX - box.left) / (box.right - box.left) * a.duration;
  }, true);
}
"""

PLAYHEAD_JS = _SCRIPT.replace("__LAYOUT__", json.dumps(LAYOUT))
"""The page script (Gradio's ``js=``: a function run once when the page loads)."""
