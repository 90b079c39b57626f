"""`{{ obj|label:"field" }}` (civil_affairs.text.choice_label): the same words
as get_<field>_display in each language, from a per-language cache."""

from django.template import Context, Template
from django.utils import translation

from civil_affairs.models import Role, User


def test_label_matches_get_display_in_both_languages():
    user = User(role=Role.REVIEWER)
    template = Template('{% load minzheng %}{{ u|label:"role" }}')
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(Context({"u": user})) == user.get_role_display()
    with translation.override("en"):
        assert template.render(Context({"u": user})) != "区县审核人"


def test_unknown_value_shows_itself():
    user = User(role="nobody")
    assert Template('{% load minzheng %}{{ u|label:"role" }}').render(Context({"u": user})) == "nobody"
