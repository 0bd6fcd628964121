"""observer-app: a desktop workstation for psychotherapy process research."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("observer-app")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
