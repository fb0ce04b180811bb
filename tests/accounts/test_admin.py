"""The Django admin: staff only, email as the login name."""

import pytest
from django.db import IntegrityError

from accounts.models import User


def test_admin_login_page_loads(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b"Email address" in response.content


def test_staff_user_signs_in_to_the_admin(client, make_user, password):
    make_user("staff@example.com", is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff@example.com", "password": password}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/"
    assert client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.security
def test_non_staff_user_cannot_sign_in_to_the_admin(client, user, password):
    client.post("/admin/login/?next=/admin/", {"username": user.email, "password": password})

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_can_add_a_user_through_the_admin(client, make_user, password):
    make_user("root@example.com", is_staff=True, is_superuser=True)
    client.login(username="root@example.com", password=password)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.com",
            "password1": "a-long-enough-pass 9",
            "password2": "a-long-enough-pass 9",
        },
    )

    assert response.status_code == 302, response.content
    assert User.objects.filter(email="new.person@example.com").exists()


@pytest.mark.security
def test_passwords_are_stored_hashed(user, password):
    assert user.password != password
    assert user.check_password(password)


def test_emails_differing_only_in_case_are_one_account(make_user):
    make_user("case@example.com")

    with pytest.raises(IntegrityError):
        make_user("CASE@example.com")
