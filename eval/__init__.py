"""The honest yardstick: sonify real photos made by others and judge what a listener hears.

``make eval`` (or ``python -m eval``) fetches ~90 photos from Debian packages the project
uses nowhere else (``photos.toml``, labelled by looking at each one), runs each through the
real pipeline (analyze → find sounds → plan), and scores the chosen recordings against the
labels with the rules in ``concepts.toml``. See the README section "Evaluation".
"""
