"""The number series API: define, list, change and delete series; owner-only (docs/security.md)."""

import uuid

import pytest
from django.utils import timezone

from invoices.models import NumberSeries
from invoices.numbering import MAX_SERIES_PER_OWNER
from tests.numbering.conftest import PATTERN, SERIES, post_invoice, series_payload


def create(client, **body):
    return client.post(SERIES, body, format="json")


def test_a_series_is_defined_listed_and_shown_with_its_next_number(auth):
    response = create(auth, code="INV", pattern=PATTERN)

    assert response.status_code == 201, response.content
    series = response.json()
    year = timezone.localdate().year
    assert {key: series[key] for key in ("code", "pattern", "reset", "next_number")} == {
        "code": "INV",
        "pattern": PATTERN,
        "reset": "yearly",
        "next_number": f"INV-{year}-00001",
    }
    assert response["Location"] == series["links"]["self"]
    assert auth.get(SERIES).json() == [series]
    assert auth.get(f"{SERIES}{series['id']}/").json() == series


def test_the_next_number_follows_the_uploads(auth, series):
    year = timezone.localdate().year
    post_invoice(auth, series_payload(issue_date=timezone.localdate().isoformat()))

    assert auth.get(f"{SERIES}{series.id}/").json()["next_number"] == f"INV-{year}-00002"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"code": "INV", "pattern": "INV-{seq}-{DD}", "reset": "never"}, "pattern", "Unknown token {DD}"),
        ({"code": "INV", "pattern": "INV-{seq}"}, "pattern", "must have {YYYY} or {YY}"),
        ({"code": "INV", "pattern": "INV-{seq}{"}, "pattern", "A stray '{'"),
        ({"code": "IN V", "pattern": PATTERN}, "code", "letters, digits"),
        (
            {"code": "INV", "pattern": PATTERN, "reset": "monthly"},
            "reset",
            "Unknown value 'monthly'; allowed:",
        ),
        ({"code": "INV", "pattern": PATTERN, "start": 5}, "start", "Unknown field"),
        ({"code": "INV"}, "pattern", "required"),
    ],
)
def test_a_bad_series_is_400_naming_the_field(auth, body, field, message):
    response = auth.post(SERIES, body, format="json")

    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert list(fields) == [field]
    assert message in fields[field][0]
    assert not NumberSeries.objects.exists()


def test_a_code_is_unique_per_owner_not_per_service(auth, client_for, make_user, series):
    again = create(auth, code="INV", pattern="X-{YYYY}-{seq}")
    other = create(client_for(make_user("other@example.com")), code="INV", pattern=PATTERN)

    assert again.status_code == 400
    assert again.json()["error"]["fields"] == {"code": ["You have a number series 'INV' already."]}
    assert other.status_code == 201


def test_an_account_has_at_most_100_series(auth, owner):
    NumberSeries.objects.bulk_create(
        NumberSeries(owner=owner, code=f"S{index}", pattern="{seq}", reset="never")
        for index in range(MAX_SERIES_PER_OWNER)
    )

    response = create(auth, code="ONE-MORE", pattern="{seq}", reset="never")

    assert response.status_code == 400
    assert "at most 100 number series" in response.json()["error"]["message"]


def test_the_pattern_changes_while_the_series_issued_nothing(auth, series):
    response = auth.patch(f"{SERIES}{series.id}/", {"pattern": "R-{seq}", "reset": "never"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["next_number"] == "R-1"


def test_a_patch_is_checked_as_the_whole_series_it_makes(auth, series):
    # The stored pattern has no year without its own: a yearly reset is refused on the merged series.
    auth.patch(f"{SERIES}{series.id}/", {"pattern": "R-{seq}", "reset": "never"}, format="json")

    response = auth.patch(f"{SERIES}{series.id}/", {"reset": "yearly"}, format="json")

    assert response.status_code == 400
    assert "must have {YYYY} or {YY}" in response.json()["error"]["fields"]["pattern"][0]


def test_after_a_number_was_issued_the_pattern_is_409_and_the_code_still_changes(auth, series):
    assert post_invoice(auth, series_payload()).status_code == 202

    pattern = auth.patch(f"{SERIES}{series.id}/", {"pattern": "INV-{YY}-{seq:05}"}, format="json")
    code = auth.patch(f"{SERIES}{series.id}/", {"code": "MAIN"}, format="json")

    assert pattern.status_code == 409
    assert pattern.json()["error"]["code"] == "series_in_use"
    assert "Create a new series instead" in pattern.json()["error"]["message"]
    assert code.status_code == 200
    assert post_invoice(auth, series_payload("MAIN")).json()["number"] == "INV-2026-00002"


def test_an_unused_series_is_deleted_a_used_one_is_409(auth, owner, series):
    unused = NumberSeries.objects.create(owner=owner, code="SPARE", pattern="{seq}", reset="never")
    post_invoice(auth, series_payload())

    assert auth.delete(f"{SERIES}{unused.id}/").status_code == 204
    used = auth.delete(f"{SERIES}{series.id}/")
    assert used.status_code == 409
    assert used.json()["error"]["code"] == "series_in_use"
    assert list(NumberSeries.objects.values_list("code", flat=True)) == ["INV"]


@pytest.mark.security
@pytest.mark.parametrize(
    ("method", "body"), [("get", None), ("patch", {"pattern": "X-{YYYY}-{seq}"}), ("delete", None)]
)
def test_another_accounts_series_is_the_404_of_a_made_up_id(client_for, make_user, series, method, body):
    intruder = client_for(make_user("intruder@example.com"))

    theirs = getattr(intruder, method)(f"{SERIES}{series.id}/", body, format="json")
    made_up = getattr(intruder, method)(f"{SERIES}{uuid.uuid4()}/", body, format="json")

    assert theirs.status_code == made_up.status_code == 404
    assert theirs.content == made_up.content
    assert intruder.get(SERIES).json() == []
    series.refresh_from_db()
    assert series.pattern == PATTERN


@pytest.mark.security
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_series_api_needs_a_token(api, method):
    assert getattr(api, method)(SERIES).status_code == 401
