"""Placement profiles stored and versioned: created, edited as new versions, found by name."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.contrib.auth.models import User

from solvent.audit.models import AuditEntry
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.domain.placement_profile import ProfileError, ProfileSpec
from solvent.portfolio.imports.profiles import (
    profile_create,
    profile_version_add,
    profile_version_current,
)
from solvent.portfolio.models import Client, PlacementProfile, PlacementProfileVersion
from solvent.portfolio.selectors_profiles import profile_list, spec_changes

pytestmark = pytest.mark.django_db


def _creditor_spec() -> ProfileSpec:
    return ProfileSpec(
        columns={
            "account_number": "Account Number",
            "principal": "Balance",
            "first_name": "First",
            "last_name": "Last",
        },
        constants={"currency": "USD"},
        date_formats=("%m/%d/%Y",),
    )


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


@pytest.fixture
def operator() -> User:
    return User.objects.create_user(username="ops")


def test_a_profile_is_created_with_its_spec_as_version_1_and_audited(acme, operator) -> None:
    version = profile_create(
        client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator, note="from Jan"
    )
    assert version.number == 1
    assert version.profile.name == "Monthly" and version.profile.client == acme
    assert version.spec == _creditor_spec().to_json()
    assert version.created_by == operator
    entry = AuditEntry.objects.get(action="placement_profile.created")
    assert entry.object_id == str(version.profile_id)
    assert entry.actor_id == operator.pk
    assert entry.data["name"] == "Monthly"


def test_a_second_profile_of_the_same_name_is_refused_whatever_the_case(acme, operator) -> None:
    profile_create(client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator)
    with pytest.raises(ProfileError) as refused:
        profile_create(client=acme, name="monthly", spec=_creditor_spec(), created_by=operator)
    assert "already has a profile named" in refused.value.problems[0]
    assert PlacementProfile.objects.count() == 1


def test_the_same_name_at_another_client_is_its_own_profile(acme, operator) -> None:
    globex = Client.objects.create(code="globex", name="Globex")
    profile_create(client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator)
    profile_create(client=globex, name="Monthly", spec=_creditor_spec(), created_by=operator)
    assert profile_version_current(client=globex, name="Monthly").profile.client == globex


def test_a_spec_that_cannot_read_a_file_is_refused_and_nothing_is_stored(acme, operator) -> None:
    broken = dataclasses.replace(_creditor_spec(), columns={"balance_due": "Balance"})
    with pytest.raises(ProfileError) as refused:
        profile_create(client=acme, name="Broken", spec=broken, created_by=operator)
    assert any("balance_due" in problem for problem in refused.value.problems)
    assert not PlacementProfile.objects.exists()
    assert not AuditEntry.objects.filter(action="placement_profile.created").exists()


def test_an_empty_name_is_refused_naming_the_field(acme, operator) -> None:
    with pytest.raises(ProfileError) as refused:
        profile_create(client=acme, name="  ", spec=_creditor_spec(), created_by=operator)
    assert refused.value.problems == ["name: required, but empty"]


def test_editing_adds_a_version_and_the_old_one_stays_as_it_was(acme, operator) -> None:
    first = profile_create(client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator)
    changed = dataclasses.replace(_creditor_spec(), date_formats=("%d/%m/%Y",))
    second = profile_version_add(
        profile=first.profile, spec=changed, created_by=operator, note="day first"
    )
    assert second.number == 2 and second.pk != first.pk
    first.refresh_from_db()
    assert first.spec["date_formats"] == ["%m/%d/%Y"]
    assert second.spec["date_formats"] == ["%d/%m/%Y"]
    assert profile_version_current(client=acme, name="Monthly") == second
    entry = AuditEntry.objects.get(action="placement_profile.version_added")
    assert entry.data["version"] == 2 and entry.actor_id == operator.pk


def test_saving_the_current_spec_again_adds_no_version(acme, operator) -> None:
    first = profile_create(client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator)
    again = profile_version_add(profile=first.profile, spec=_creditor_spec(), created_by=operator)
    assert again == first
    assert PlacementProfileVersion.objects.count() == 1
    assert not AuditEntry.objects.filter(action="placement_profile.version_added").exists()


def test_going_back_to_an_older_spec_is_a_new_version(acme, operator) -> None:
    first = profile_create(client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator)
    changed = dataclasses.replace(_creditor_spec(), phone_region="CA")
    profile_version_add(profile=first.profile, spec=changed, created_by=operator)
    third = profile_version_add(profile=first.profile, spec=_creditor_spec(), created_by=operator)
    assert third.number == 3


def test_an_unknown_profile_name_says_which_profiles_the_client_has(acme, operator) -> None:
    profile_create(client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator)
    profile_create(client=acme, name="Recall", spec=_creditor_spec(), created_by=operator)
    with pytest.raises(NotFoundError) as missing:
        profile_version_current(client=acme, name="Weekly")
    assert "'Monthly', 'Recall'" in missing.value.message


def test_an_inactive_profile_is_not_used(acme, operator) -> None:
    version = profile_create(client=acme, name="Old", spec=_creditor_spec(), created_by=operator)
    PlacementProfile.objects.filter(pk=version.profile_id).update(is_active=False)
    with pytest.raises(NotFoundError):
        profile_version_current(client=acme, name="Old")


def test_the_list_gives_each_profile_its_versions_newest_first(acme, operator) -> None:
    first = profile_create(client=acme, name="Monthly", spec=_creditor_spec(), created_by=operator)
    profile_version_add(
        profile=first.profile,
        spec=dataclasses.replace(_creditor_spec(), phone_region="CA"),
        created_by=operator,
    )
    [profile] = profile_list(client=acme)
    assert [version.number for version in profile.versions.all()] == [2, 1]


def test_what_a_version_changed_is_said_setting_by_setting() -> None:
    before = _creditor_spec().to_json()
    after = dataclasses.replace(
        _creditor_spec(),
        columns={**_creditor_spec().columns, "email": "E-mail"},
        date_formats=("%d/%m/%Y",),
    ).to_json()
    assert spec_changes(before, after) == [
        "columns: email = 'E-mail' added",
        "date_formats: '%m/%d/%Y' → '%d/%m/%Y'",
    ]
    assert spec_changes(None, after) == ["first version"]
    assert spec_changes(after, after) == ["no change"]


def test_the_back_office_adds_a_profile_and_a_version_through_the_services(acme) -> None:
    from django.test import Client as HttpClient

    boss = User.objects.create_superuser(username="boss", password="x" * 12)
    http = HttpClient()
    http.force_login(boss)
    spec = json.dumps(_creditor_spec().to_json())
    added = http.post(
        "/admin/portfolio/placementprofile/add/",
        {
            "client": acme.pk,
            "name": "Monthly",
            "is_active": "on",
            "new_version_spec": spec,
            "new_version_note": "first",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    profile = PlacementProfile.objects.get()
    assert [v.number for v in profile.versions.all()] == [1]
    assert AuditEntry.objects.filter(action="placement_profile.created").count() == 1
    change = f"/admin/portfolio/placementprofile/{profile.pk}/change/"
    assert http.get(change).status_code == 200
    refused = http.post(
        change,
        {
            "name": "Monthly",
            "is_active": "on",
            "new_version_spec": '{"encoding": "ebcdic"}',
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
        },
    )
    assert refused.status_code == 200 and "ebcdic" in refused.content.decode()
    assert profile.versions.count() == 1
    edited = dict(_creditor_spec().to_json(), phone_region="CA")
    saved = http.post(
        change,
        {
            "name": "Monthly",
            "is_active": "on",
            "new_version_spec": json.dumps(edited),
            "new_version_note": "Canadian phones",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert profile_version_current(client=acme, name="Monthly").spec["phone_region"] == "CA"
