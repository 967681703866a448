"""`karma bench tasks` options: the perception profile (realistic by default) is checked early."""
import pytest

from karma_bench.tasks import parse_args, perception_profile


def test_perception_defaults_to_realistic_and_is_recorded():
    args = parse_args(['--suite', 's.json', '--out', 'o', '--memory', 'karma,none'])
    p = perception_profile(args)
    assert args.perception == 'realistic' and p.name == 'realistic'
    assert p.as_record()['withhold_ids'] is True and p.as_record()['dropout'] == 0.2
    assert perception_profile(parse_args(['--suite', 's', '--out', 'o', '--perception', 'oracle'])
                              ).settings['withhold_ids'] is False


def test_an_unknown_profile_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        parse_args(['--suite', 's', '--out', 'o', '--perception', 'perfect'])
    assert e.value.code == 2 and "unknown perception profile 'perfect'" in capsys.readouterr().err
