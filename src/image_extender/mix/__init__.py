"""Plan and render the mix: manifest models and numpy arrays in, stereo audio out."""

from .levels import LEVEL_MEASURE, active_rms_db
from .plan import plan_mix
from .render import Rendered, render_mix

__all__ = ["LEVEL_MEASURE", "Rendered", "active_rms_db", "plan_mix", "render_mix"]
