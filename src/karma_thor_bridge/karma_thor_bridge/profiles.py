"""Perception profiles: named detector settings in ``config/perception/NAME.yaml``; no rclpy.

A profile is a flat YAML mapping of :class:`~karma_thor_bridge.perception.PerceptionConfig`
fields (``withhold_ids``, ``noise_std``, ``size_noise``, ``dropout``, ``confusion``,
``false_detections``); the seed and the camera range come from the bridge, never from a
profile. ``oracle`` is perfect perception, ``realistic`` (the default of every benchmark and
of the demo) what a robot's detector gives, ``harsh`` twice its errors. A profile is named
by its name (looked up in the profile directory) or by the path of a YAML file.

>>> load_profile('realistic').settings['dropout']
0.2
>>> load_profile('oracle').config(seed=3, max_range=1.5).withhold_ids
False
>>> load_profile('nope')
Traceback (most recent call last):
...
karma_thor_bridge.profiles.ProfileError: unknown perception profile 'nope': not a file and not one of harsh, oracle, realistic
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .perception import PerceptionConfig

DEFAULT_PROFILE = 'realistic'
# Field -> (type, lowest, highest). Rates are probabilities; false_detections is a mean count.
FIELDS = {'withhold_ids': (bool, None, None), 'noise_std': (float, 0.0, 1.0),
          'size_noise': (float, 0.0, 1.0), 'dropout': (float, 0.0, 1.0),
          'confusion': (float, 0.0, 1.0), 'false_detections': (float, 0.0, 20.0)}


class ProfileError(ValueError):
    """A profile that does not exist or does not validate; the message says which and why."""


@dataclass(frozen=True)
class Profile:
    name: str             # the file's stem ('realistic')
    source: str           # the file it was read from
    settings: dict        # every field of FIELDS, validated

    def config(self, seed: int = 0, max_range: float = 1.5, **overrides) -> PerceptionConfig:
        """The perception settings of this profile with the bridge's seed and range; keyword
        ``overrides`` (validated like the file) replace single fields."""
        values = dict(self.settings)
        values.update(_validate(overrides, f'overrides of {self.name!r}', partial=True))
        return PerceptionConfig(seed=seed, max_range=max_range, **values)

    def as_record(self) -> dict:
        """What a results file records: the name, the file and every setting."""
        return {'name': self.name, 'source': self.source, **self.settings}


def profile_dir() -> Path:
    """``$KARMA_PERCEPTION_DIR``, else ``$KARMA_CONFIG_DIR/perception``, else
    ``$KARMA_ROOT/config/perception``, else the repository's ``config/perception``."""
    if os.environ.get('KARMA_PERCEPTION_DIR'):
        return Path(os.environ['KARMA_PERCEPTION_DIR'])
    if os.environ.get('KARMA_CONFIG_DIR'):
        return Path(os.environ['KARMA_CONFIG_DIR']) / 'perception'
    if os.environ.get('KARMA_ROOT'):
        return Path(os.environ['KARMA_ROOT']) / 'config' / 'perception'
    return Path(__file__).resolve().parents[3] / 'config' / 'perception'


def profile_names() -> list[str]:
    d = profile_dir()
    return sorted(p.stem for p in d.glob('*.yaml')) if d.is_dir() else []


def load_profile(name_or_path: str) -> Profile:
    """The profile ``name_or_path``: an existing file path, else a name in :func:`profile_dir`."""
    arg = str(name_or_path or '').strip()
    if not arg:
        raise ProfileError('empty perception profile name')
    path = Path(arg).expanduser()
    if not path.is_file():
        if '/' in arg or arg.endswith(('.yaml', '.yml')) or not arg.replace('_', '').replace('-', '').isalnum():
            raise ProfileError(f'perception profile file {arg!r} does not exist')
        path = profile_dir() / f'{arg}.yaml'
        if not path.is_file():
            raise ProfileError(f'unknown perception profile {arg!r}: not a file and not one of '
                               f'{", ".join(profile_names()) or "(no profiles found)"}')
    try:
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
    except (OSError, yaml.YAMLError) as e:
        raise ProfileError(f'perception profile {str(path)!r} is not readable YAML: {e}') from None
    return Profile(path.stem, str(path), _validate(data, f'perception profile {str(path)!r}'))


def config_from_parameters(params: dict) -> PerceptionConfig:
    """The bridge's perception from its parameters: the profile ``perception`` with the seed
    and ``visibility_distance``, overridden by ``noise_std`` / ``dropout`` when not negative
    and by ``withhold_ids`` when true (bridge parameters from before profiles keep working).

    >>> c = config_from_parameters({'perception': 'oracle', 'seed': 1, 'visibility_distance': 1.5,
    ...                             'noise_std': 0.02, 'dropout': -1.0, 'withhold_ids': True})
    >>> c.noise_std, c.dropout, c.withhold_ids, c.seed
    (0.02, 0.0, True, 1)
    """
    over = {k: params[k] for k in ('noise_std', 'dropout') if params.get(k, -1.0) >= 0.0}
    if params.get('withhold_ids'):
        over['withhold_ids'] = True
    return load_profile(params.get('perception') or DEFAULT_PROFILE).config(
        seed=int(params.get('seed', 0)), max_range=float(params.get('visibility_distance', 1.5)),
        **over)


def _validate(data, where: str, partial: bool = False) -> dict:
    if not isinstance(data, dict):
        raise ProfileError(f'{where}: expected a mapping of settings, got {type(data).__name__}')
    unknown = sorted(set(map(str, data)) - set(FIELDS))
    if unknown:
        raise ProfileError(f'{where}: unknown setting(s) {unknown}; known: {", ".join(FIELDS)}')
    missing = [] if partial else [k for k in FIELDS if k not in data]
    if missing:
        raise ProfileError(f'{where}: missing setting(s) {missing}')
    out = {}
    for key, value in data.items():
        kind, lo, hi = FIELDS[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is float and isinstance(value, bool)):
            raise ProfileError(f'{where}: {key!r} must be a {kind.__name__}, got {value!r}')
        if kind is float and (not math.isfinite(value) or value < lo or value > hi):
            raise ProfileError(f'{where}: {key!r} = {value!r} is outside [{lo:g}, {hi:g}]')
        out[key] = value
    return out

