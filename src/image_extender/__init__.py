"""Image Extender: turn a photo into a stereo soundscape of real recordings."""

__version__ = "0.1.0"
