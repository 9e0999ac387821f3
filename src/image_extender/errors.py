"""One error hierarchy. Every message names the file, tag or setting and what to do.

The CLI turns any ``ImageExtenderError`` into a one-line message and a non-zero exit
code; anything else is a bug and keeps its traceback.
"""


class ImageExtenderError(Exception):
    """Base class for every error the tool raises on purpose."""

    exit_code = 1


class InputError(ImageExtenderError):
    """A file the user gave us is missing, unreadable or not what it claims to be."""

    exit_code = 2


class SettingsError(ImageExtenderError):
    """A setting (flag, TOML key, environment variable) has an unusable value."""

    exit_code = 2


class ModelError(ImageExtenderError):
    """A model file is missing or cannot be loaded."""

    exit_code = 3


class LibraryError(ImageExtenderError):
    """The local sound library is missing, empty or damaged."""

    exit_code = 4


class RetrievalError(ImageExtenderError):
    """No usable sound could be found where one was required."""

    exit_code = 5


class RenderError(ImageExtenderError):
    """The mix could not be rendered (e.g. a sound file named by a manifest is gone)."""

    exit_code = 6


class NonSonicImageError(ImageExtenderError):
    """The image holds nothing that sounds (a logo, an icon, an empty scene)."""

    exit_code = 7
