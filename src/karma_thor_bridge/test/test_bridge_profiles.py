"""Perception profiles: the shipped ones, loading by name or file, validation, overrides."""
import dataclasses

import pytest

from karma_thor_bridge.perception import PerceptionConfig
from karma_thor_bridge.profiles import (DEFAULT_PROFILE, FIELDS, ProfileError,
                                        config_from_parameters, load_profile, profile_names)


def test_shipped_profiles_and_their_settings():
    assert {'oracle', 'realistic', 'harsh'} <= set(profile_names())
    assert DEFAULT_PROFILE == 'realistic'
    oracle = load_profile('oracle').settings
    assert not oracle['withhold_ids'] and all(oracle[k] == 0.0 for k in FIELDS if k != 'withhold_ids')
    real = load_profile('realistic').settings
    assert real == {'withhold_ids': True, 'noise_std': 0.05, 'size_noise': 0.10, 'dropout': 0.2,
                    'confusion': 0.03, 'false_detections': 0.05}
    harsh = load_profile('harsh').settings
    assert harsh['withhold_ids'] and all(harsh[k] == pytest.approx(2 * real[k])
                                         for k in FIELDS if k != 'withhold_ids')


def test_every_setting_is_a_perception_field():
    assert set(FIELDS) < {f.name for f in dataclasses.fields(PerceptionConfig)}


def test_a_profile_file_by_path_and_its_record(tmp_path):
    f = tmp_path / 'mine.yaml'
    f.write_text('withhold_ids: true\nnoise_std: 0.02\nsize_noise: 0\ndropout: 0.1\n'
                 'confusion: 0\nfalse_detections: 0\n')
    p = load_profile(str(f))
    assert p.name == 'mine' and p.settings['noise_std'] == 0.02 and p.settings['size_noise'] == 0.0
    rec = p.as_record()
    assert rec['name'] == 'mine' and rec['source'] == str(f) and rec['dropout'] == 0.1
    cfg = p.config(seed=4, max_range=2.0)
    assert (cfg.seed, cfg.max_range, cfg.withhold_ids, cfg.dropout) == (4, 2.0, True, 0.1)


@pytest.mark.parametrize('text, fragment', [
    ('withhold_ids: true\n', 'missing setting'),
    ('[1, 2]\n', 'expected a mapping'),
    ('withhold_ids: 1\nnoise_std: 0\nsize_noise: 0\ndropout: 0\nconfusion: 0\nfalse_detections: 0\n',
     "'withhold_ids' must be a bool"),
    ('withhold_ids: true\nnoise_std: 0\nsize_noise: 0\ndropout: 1.5\nconfusion: 0\nfalse_detections: 0\n',
     "'dropout' = 1.5 is outside"),
    ('withhold_ids: true\nnoise_std: .nan\nsize_noise: 0\ndropout: 0\nconfusion: 0\nfalse_detections: 0\n',
     "'noise_std'"),
    ('withhold_ids: true\nnoise_std: 0\nsize_noise: 0\ndropout: 0\nconfusion: 0\nfalse_detections: 0\n'
     'seed: 3\n', "unknown setting(s) ['seed']"),
    ('a: [\n', 'not readable YAML'),
])
def test_bad_profiles_say_what_is_wrong(tmp_path, text, fragment):
    f = tmp_path / 'bad.yaml'
    f.write_text(text)
    with pytest.raises(ProfileError) as e:
        load_profile(str(f))
    assert fragment in str(e.value) and 'bad.yaml' in str(e.value)


def test_unknown_names_and_missing_files():
    with pytest.raises(ProfileError, match="unknown perception profile 'fancy'.*realistic"):
        load_profile('fancy')
    with pytest.raises(ProfileError, match='does not exist'):
        load_profile('/no/such/profile.yaml')
    with pytest.raises(ProfileError, match='empty'):
        load_profile('')
    with pytest.raises(ProfileError, match="'dropout'"):
        load_profile('oracle').config(dropout=2.0)


def test_bridge_parameters_pick_the_profile_and_old_overrides_still_work():
    base = {'perception': 'realistic', 'seed': 3, 'visibility_distance': 1.5,
            'noise_std': -1.0, 'dropout': -1.0, 'withhold_ids': False}
    c = config_from_parameters(base)
    assert (c.noise_std, c.dropout, c.confusion, c.withhold_ids, c.seed) == (0.05, 0.2, 0.03, True, 3)
    old = config_from_parameters(dict(base, perception='oracle', noise_std=0.05, dropout=0.2,
                                      withhold_ids=True))
    assert (old.noise_std, old.dropout, old.withhold_ids, old.confusion) == (0.05, 0.2, True, 0.0)
