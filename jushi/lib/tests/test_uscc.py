import pytest

from jushi.lib import uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "9144030071526726XG", " 9144030071526726xg "])
def test_published_codes_pass_the_check(code):
    assert uscc.validate(code) == code.strip().upper()


def test_wrong_length_is_named():
    with pytest.raises(uscc.InvalidCode, match="应为 18 位,实际 17 位"):
        uscc.validate("91350100M000100Y4")


def test_forbidden_letters_are_named():
    with pytest.raises(uscc.InvalidCode, match="不允许的字符 IO"):
        uscc.validate("91350100M00010IO43")


def test_bad_check_character_says_what_it_should_be():
    with pytest.raises(uscc.InvalidCode, match="第 18 位应为 3,实际为 4"):
        uscc.validate("91350100M000100Y44")


def test_complete_appends_the_check_character():
    assert uscc.complete("91350100M000100Y4") == "91350100M000100Y43"
    assert all(uscc.is_valid(uscc.complete(f"91653101{n:09d}")) for n in range(200))
