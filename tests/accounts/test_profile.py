"""/api/me/: the account's email language and default invoice locale, read and set by the account itself."""

import pytest

from accounts.models import User
from invoices.i18n.locales import LANGUAGES


def patch(client, body):
    return client.patch("/api/me/", data=body, format="json")


def field_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def test_a_new_account_reads_english_with_no_default_locale(client_for, user):
    body = client_for(user).get("/api/me/").json()

    assert (body["language"], body["locale"]) == ("en", "")


def test_patch_sets_both_and_answers_the_profile(client_for, user):
    response = patch(client_for(user), {"language": "de", "locale": "de-CH"})

    assert response.status_code == 200, response.content
    assert (response.json()["language"], response.json()["locale"]) == ("de", "de-CH")
    user.refresh_from_db()
    assert (user.language, user.locale) == ("de", "de-CH")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("de_ch", "de-CH"),
        ("EN_us", "en-US"),
        (" fr-BE ", "fr-BE"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("no", "nb"),
    ],
)
def test_the_locale_is_stored_normalised(client_for, user, sent, stored):
    assert patch(client_for(user), {"locale": sent}).json()["locale"] == stored
    user.refresh_from_db()
    assert user.locale == stored


def test_each_field_may_be_left_out_and_an_empty_locale_clears_it(client_for, make_user):
    user = make_user(language="fr", locale="fr-CH")
    client = client_for(user)

    assert patch(client, {"language": "it"}).json()["locale"] == "fr-CH"
    assert patch(client, {"locale": ""}).json()["language"] == "it"
    user.refresh_from_db()
    assert (user.language, user.locale) == ("it", "")


def test_every_catalog_language_can_be_chosen(client_for, user):
    client = client_for(user)

    assert [patch(client, {"language": code}).json()["language"] for code in LANGUAGES] == list(LANGUAGES)


@pytest.mark.parametrize("language", ["xx", "DE", "de-CH", "zh", "", "english"])
def test_an_unknown_language_is_400_naming_the_field_and_the_languages(client_for, user, language):
    errors = field_errors(patch(client_for(user), {"language": language}))

    assert list(errors) == ["language"]
    if language:
        assert f"'{language}' is not a language the service writes in" in errors["language"][0]
        assert "de, el, en" in errors["language"][0]
    user.refresh_from_db()
    assert user.language == "en"


@pytest.mark.parametrize(
    ("locale", "reason"),
    [
        ("xx-YY", "is not a locale the Unicode CLDR knows"),
        ("sw-KE", "Invoices cannot be written in 'sw' yet"),
        ("de CH", "Must be a BCP 47 language tag"),
        ("d", "Must be a BCP 47 language tag"),
        ("de-" + "x" * 40, "Ensure this field has no more than 35 characters."),
    ],
)
def test_a_locale_the_parser_refuses_is_400_naming_the_field_with_its_reason(
    client_for, make_user, locale, reason
):
    user = make_user(locale="de-AT")

    errors = field_errors(patch(client_for(user), {"language": "de", "locale": locale}))

    assert list(errors) == ["locale"]
    assert reason in errors["locale"][0]
    user.refresh_from_db()
    assert (user.language, user.locale) == ("en", "de-AT")  # nothing of a refused body is applied


@pytest.mark.parametrize("body", [{"language": None}, {"locale": 12}, ["de"], "de"])
def test_malformed_values_are_400(client_for, user, body):
    assert patch(client_for(user), body).status_code == 400


@pytest.mark.security
def test_an_unauthenticated_patch_is_401(api, user):
    assert patch(api, {"language": "de"}).status_code == 401
    user.refresh_from_db()
    assert user.language == "en"


@pytest.mark.parametrize("field", ["language", "locale"])
def test_put_is_not_allowed(client_for, user, field):
    assert client_for(user).put("/api/me/", data={field: "de"}, format="json").status_code == 405


def test_the_admin_shows_and_normalises_both(client, make_user, password):
    make_user("root@example.com", is_staff=True, is_superuser=True)
    ann = make_user("ann@example.com")
    client.login(username="root@example.com", password=password)
    page = client.get(f"/admin/accounts/user/{ann.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(language="pl", locale="pl_pl", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    data.pop("last_login", None)
    data.pop("date_joined", None)

    assert b'name="language"' in page.content
    assert b'name="locale"' in page.content
    response = client.post(f"/admin/accounts/user/{ann.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ann.refresh_from_db()
    assert (ann.language, ann.locale) == ("pl", "pl-PL")

    data["locale"] = "xx-YY"
    refused = client.post(f"/admin/accounts/user/{ann.pk}/change/", data)
    assert refused.status_code == 200
    assert "is not a locale the Unicode CLDR knows" in str(refused.context["adminform"].form.errors["locale"])
    assert User.objects.get(pk=ann.pk).locale == "pl-PL"


# --- docs/security.md case 24: an account changes its own profile and nothing else ---------------------


@pytest.mark.security
def test_a_patch_changes_the_callers_account_only(client_for, make_user):
    ann = make_user("ann@example.com", language="fr", locale="fr-FR")
    eve = make_user("eve@example.com")

    response = patch(client_for(eve), {"language": "de", "locale": "de-DE"})

    assert response.status_code == 200
    assert response.json()["email"] == eve.email
    ann.refresh_from_db()
    eve.refresh_from_db()
    assert (ann.language, ann.locale) == ("fr", "fr-FR")
    assert (eve.language, eve.locale) == ("de", "de-DE")


@pytest.mark.security
@pytest.mark.parametrize(
    "extra",
    [
        {"id": "ann"},  # replaced by ann's real id below
        {"email": "ann@example.com"},
        {"is_staff": True},
        {"is_superuser": True},
        {"is_active": False},
        {"password": "new password 123"},
        {"full_name": "Someone Else"},
        {"groups": [1]},
    ],
)
def test_no_other_field_and_no_other_account_can_be_named(client_for, make_user, extra):
    ann = make_user("ann@example.com")
    eve = make_user("eve@example.com")
    extra = {"id": ann.pk} if extra == {"id": "ann"} else extra
    client = client_for(eve)
    before = User.objects.values().get(pk=eve.pk)

    errors = field_errors(patch(client, {"language": "de", **extra}))

    assert list(errors) == list(extra)
    assert errors[next(iter(extra))] == ["This field cannot be changed here; only language and locale can."]
    assert User.objects.values().get(pk=eve.pk) == before  # not even the language was applied
    assert User.objects.get(pk=ann.pk).language == "en"


@pytest.mark.security
def test_a_query_naming_another_account_is_ignored(client_for, make_user):
    ann = make_user("ann@example.com")
    eve = make_user("eve@example.com")
    client = client_for(eve)

    response = client.patch(f"/api/me/?id={ann.pk}&email={ann.email}", data={"language": "de"}, format="json")

    assert response.json()["email"] == eve.email
    assert client.get(f"/api/me/?id={ann.pk}").json()["email"] == eve.email
    assert User.objects.get(pk=ann.pk).language == "en"
