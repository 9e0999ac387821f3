"""The command line starts without loading what it does not need, and "models loaded" means loaded.

Behaviour, not timing: which heavy packages an import pulls in, and whether the text
embedder's tokenizer is built by ``load()`` rather than by the first query.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("openai", "gradio", "matplotlib", "cv2", "faiss", "scipy", "torch")


def _modules_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_the_cli_and_the_pipeline_import_no_model_ui_or_plotting_package():
    assert _modules_after("import image_extender.cli, image_extender.pipeline, image_extender.settings") == []


def test_help_and_render_do_not_even_load_the_settings_module():
    probe = "import image_extender.cli, image_extender.pipeline, sys; print('image_extender.settings' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_bundling_and_writing_audio_do_not_pull_in_matplotlib():
    assert "matplotlib" not in _modules_after("from image_extender.report import write_bundle, write_audio")


def test_package_exports_still_resolve_when_asked_for():
    from image_extender.llm import LLMSettings
    from image_extender.report import write_timeline
    from image_extender.sounds.freesound import FreesoundSettings, licence_key

    assert LLMSettings().model and callable(write_timeline) and FreesoundSettings() and licence_key("CC0") is not None


def test_the_text_embedder_load_builds_weights_and_tokenizer_once_for_every_instance():
    from image_extender.library import embed

    first, second = embed.get_embedder(), embed.get_embedder()
    first.load()
    model = embed._shared_use()
    assert model._sp is not None and model._backend is not None  # tokenizer and weights built by load()
    assert second._model is model  # a new instance (a new library opened per photo) shares it
    assert second.embed(["dog barking"]).shape == (1, 512)
