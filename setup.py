"""Packaging glue that pyproject.toml cannot express: ship the top-level ``resources/`` folder
(built-in schemes, instruments, demo media) inside the wheel as ``observer_app/_resources``.
All metadata lives in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["observer_app", "observer_app.*"]), "observer_app._resources"],
    package_dir={"observer_app._resources": "resources"},
    package_data={
        "observer_app._resources": ["**/*.toml", "**/*.json", "**/*.md", "demo/*.mp4", "demo/*.ogg"],
        "observer_app.store.migrations": ["script.py.mako", "versions/*.py"],
    },
)
