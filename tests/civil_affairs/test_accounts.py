"""Login, lockout after repeated failures (django-axes), resident registration."""
from civil_affairs.models import Role, User


def test_staff_login_and_landing(users, client):
    response = client.post("/accounts/login/", {"username": str(Role.CASEWORKER), "password": "Minzheng@2026"})
    assert response.status_code == 302
    assert client.get("/home/")["Location"] == "/work/"


def test_lockout_after_five_failures_even_with_the_right_password(users, client):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": str(Role.REVIEWER), "password": "wrong"})
    response = client.post("/accounts/login/", {"username": str(Role.REVIEWER), "password": "Minzheng@2026"})
    assert response.status_code == 429
    assert "账号已被暂时锁定" in response.text
    # another account is unaffected
    ok = client.post("/accounts/login/", {"username": str(Role.AUDITOR), "password": "Minzheng@2026"})
    assert ok.status_code == 302


def test_register_form_shows_id_errors_inline_and_keeps_input(regions, client):
    response = client.post("/register/", {"phone": "13800001111", "name": "吴六", "id_number": "320612198001010010",
                                          "password1": "Safe-pass-2026", "password2": "Safe-pass-2026",
                                          "agree": "on"})
    assert response.status_code == 200
    assert "校验位错误" in response.text
    assert 'value="13800001111"' in response.text  # nothing typed is lost
    assert not User.objects.filter(username="13800001111").exists()


def test_register_then_see_own_household(households, client):
    head = households["ours"].members.get(relation="head").person
    response = client.post("/register/", {"phone": "13800002222", "name": head.name, "id_number": head.id_number,
                                          "password1": "Safe-pass-2026", "password2": "Safe-pass-2026",
                                          "agree": "on"})
    assert response["Location"] == "/my/household/"
    page = client.get("/my/household/").text
    assert households["ours"].number in page and "李秀英" in page
    assert head.id_number not in page  # masked even for the owner on list-like pages
