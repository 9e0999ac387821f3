"""The Qt resource reader lives in the package (the starter library reads GCompris's
recordings with it); re-exported here for the evaluation's photo loader."""

from image_extender.library.qrc import ResourceError, members, read_member

__all__ = ["ResourceError", "members", "read_member"]
