"""The profiles app's reads, called directly, for what tests/profiles/test_visibility.py
leaves out: each member's own hidden profile is theirs alone, detail look-ups, contact
inboxes, the home page's figure, ranking and the guided setup."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from apps.profiles import selectors, services
from tests.accounts.factories import UserFactory
from tests.profiles.factories import make_profile

pytestmark = pytest.mark.django_db


def visible_handles(viewer) -> set[str]:
    return set(selectors.profile_visible_to(viewer).values_list("handle", flat=True))


def test_each_member_sees_their_own_hidden_profile_and_nobody_elses():
    ana = make_profile(handle="ana-oculta", visibility="hidden")
    bea = make_profile(handle="bea-oculta", visibility="hidden")
    make_profile(handle="publica")
    assert visible_handles(ana.user) == {"ana-oculta", "publica"}
    assert visible_handles(bea.user) == {"bea-oculta", "publica"}


def test_profile_detail_matches_the_handle_in_any_case_within_what_the_viewer_may_see():
    members_only = make_profile(handle="Socia-NLP", visibility="members")
    assert selectors.profile_detail(viewer=UserFactory(), handle="socia-nlp") == members_only
    assert selectors.profile_detail(viewer=AnonymousUser(), handle="SOCIA-NLP") is None
    assert selectors.profile_detail(viewer=UserFactory(), handle="nadie") is None


def test_a_hidden_profiles_page_opens_for_its_owner_and_staff_only_in_any_case():
    """The page's read is a statement compiled once per process, with and without an own
    hidden profile: the same answers as the visibility selector, whoever asks first."""
    ana = make_profile(handle="Ana-Oculta", visibility="hidden")
    bea = make_profile(handle="bea-oculta", visibility="hidden")
    members_only = make_profile(handle="socia", visibility="members")
    for viewer, handle, expected in (
        (ana.user, "ANA-OCULTA", ana),
        (ana.user, "bea-oculta", None),
        (bea.user, "ana-oculta", None),
        (bea.user, "bea-oculta", bea),
        (bea.user, "Socia", members_only),
        (UserFactory(), "ana-oculta", None),
        (UserFactory(), "socia", members_only),
        (UserFactory(is_staff=True), "ana-oculta", ana),
        (AnonymousUser(), "socia", None),
    ):
        found = selectors.profile_visible(viewer=viewer, handle=handle)
        assert found == expected, (viewer, handle)
        if found is not None:
            assert "user" in found._state.fields_cache  # its member came with it


def test_a_deactivated_members_hidden_profile_is_seen_by_staff_only():
    hidden = make_profile(handle="se-fue", visibility="hidden")
    hidden.user.is_active = False
    hidden.user.save()
    assert "se-fue" in visible_handles(UserFactory(is_staff=True))
    assert "se-fue" not in visible_handles(UserFactory())


def test_the_home_page_counts_public_profiles_of_active_members_only():
    make_profile(visibility="public")
    make_profile(visibility="members")
    make_profile(visibility="hidden")
    gone = make_profile(visibility="public")
    gone.user.is_active = False
    gone.user.save()
    assert selectors.profile_numbers() == {"public_profiles": 1}


def test_contact_inboxes_hold_only_the_members_own_requests():
    ana, bea = make_profile(visibility="members"), make_profile(visibility="members")
    sender = UserFactory()
    to_ana = services.contact_request_send(sender=sender, profile=ana, message="Hola, ¿hablamos de un proyecto?")
    services.contact_request_send(sender=ana.user, profile=bea, message="Me interesa vuestro corpus abierto.")
    assert list(selectors.contact_requests_received(user=ana.user)) == [to_ana]
    assert list(selectors.contact_requests_sent(user=sender)) == [to_ana]
    assert list(selectors.contact_requests_received(user=sender)) == []


def test_a_search_is_ranked_unless_it_matches_too_many_or_is_sorted_by_name():
    ranked = selectors.TalentSearch(q="visión")
    assert not selectors.too_broad_to_rank(ranked, None)
    assert not selectors.too_broad_to_rank(ranked, selectors.RANKED_MATCHES_MAX)
    assert selectors.too_broad_to_rank(ranked, selectors.RANKED_MATCHES_MAX + 1)
    by_name = selectors.TalentSearch(q="visión", sort="name")
    assert not selectors.too_broad_to_rank(by_name, selectors.RANKED_MATCHES_MAX + 1)
    no_words = selectors.TalentSearch(q="¿?")
    assert not selectors.too_broad_to_rank(no_words, selectors.RANKED_MATCHES_MAX + 1)


def test_a_search_read_from_parameters_keeps_only_known_values():
    params = QueryDict(
        "q=%00visi%C3%B3n%20&region=CT&region=Atlantis&kind=company&kind=guild"
        "&available=open_to_jobs&available=open_to_bribes&skill=nlp&sort=random"
    )
    search = selectors.TalentSearch.from_params(params)
    assert (search.q, search.regions, search.affiliation_kinds, search.availability, search.skills, search.sort) == (
        "visión", ["CT"], ["company"], ["open_to_jobs"], ["nlp"], "relevance",
    )
    assert not selectors.TalentSearch.from_params(QueryDict("region=Atlantis&q=%20")).is_filtered


def test_the_guided_setup_lists_the_steps_left_and_none_once_finished():
    member = UserFactory()
    assert selectors.first_steps_remaining(member) == []  # never started: nothing to guide
    services.first_steps_begin(user=member)
    services.first_step_pass(user=member, step="region")
    assert selectors.first_steps_remaining(member) == [s for s in selectors.FIRST_STEPS if s != "region"]
    assert selectors.first_steps_next(member) is not None
    for step in selectors.FIRST_STEPS:
        services.first_step_pass(user=member, step=step)
    assert selectors.first_steps_remaining(member) == []
    assert selectors.first_steps_next(member) is None
