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


class OutputError(ImageExtenderError):
    """The output folder cannot be written: not a folder, read-only, no permission, disk full."""

    exit_code = 9


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be so the same clean-up runs (exit 143 = 128 + 15)."""

    exit_code = 143


# errno → the one line a user needs; every other OSError keeps its own text.
_OS_PROBLEMS = {
    "ENOSPC": "no space left on the device; free some space and run again",
    "EDQUOT": "disk quota exceeded; free some space and run again",
    "EROFS": "read-only file system; choose another output folder",
    "EACCES": "permission denied; choose a folder you can write to",
    "EPERM": "operation not permitted; choose a folder you can write to",
    "ENOTDIR": "a part of the path is a file, not a folder",
    "ENAMETOOLONG": "file name too long",
}


def describe_os_error(exc: OSError, where: object, *, hide: str = "") -> OutputError:
    """One line for an ``OSError`` met while writing ``where`` (errno named, never a traceback).

    The path named is the file the system call failed on, unless it contains ``hide`` (a
    hidden staging folder the user never asked about): then ``where``.
    """
    import errno as _errno

    name = _errno.errorcode.get(exc.errno or 0, "")
    what = _OS_PROBLEMS.get(name) or (exc.strerror or str(exc))
    path = exc.filename if exc.filename and not (hide and hide in str(exc.filename)) else where
    return OutputError(f"{path}: {what}" + (f" ({name})" if name else ""))
