"""Where installed data lives: the share directory of ``karma_bringup`` through the ament index.

``karma_bringup`` installs the repository's ``config/`` and ``launch/`` into
``share/karma_bringup/``; a regular ROS 2 install finds them with no path arithmetic. From a
source tree without a build the caller falls back to its own source-tree default.

Example::

    prompts = installed_config('prompts') or default_prompts_dir()
"""
from __future__ import annotations

from pathlib import Path

BRINGUP = 'karma_bringup'


def share_dir(package: str = BRINGUP) -> Path | None:
    """``share/<package>`` of the installed package, or None when it is not installed."""
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
    except ImportError:   # plain Python without the ROS tooling
        return None
    try:
        return Path(get_package_share_directory(package))
    except (PackageNotFoundError, ValueError, LookupError):
        return None


def installed_config(*parts: str) -> Path | None:
    """``share/karma_bringup/config/<parts>`` when installed (a file or directory), else None."""
    share = share_dir()
    if share is None:
        return None
    path = share.joinpath('config', *parts)
    return path if path.exists() else None


def installed_launch_dir() -> Path | None:
    """``share/karma_bringup/launch`` when installed, else None."""
    share = share_dir()
    path = share / 'launch' if share else None
    return path if path and path.is_dir() else None
