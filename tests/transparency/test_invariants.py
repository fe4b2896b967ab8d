"""The register's figures agree with each other: over the demo and over random histories and fundings."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.hub.models import HubRepository, HubSnapshot
from apps.transparency import selectors, services
from tests.hub import factories as hub
from tests.transparency.invariants import assert_register_agrees

pytestmark = pytest.mark.django_db

SPAN = 90  # days of history the random cases cover, ending on the day they are read
REPOS = ["lab/uno", "lab/dos", "lab/tres"]


def test_the_demo_register_agrees_with_itself_today_and_on_past_days(demo):
    today = timezone.localdate()
    for as_of in (today, today - timedelta(days=1), today - timedelta(days=12), today - timedelta(days=40),
                  date(2025, 6, 1)):
        rows = selectors.register(as_of=as_of)
        assert rows
        assert_register_agrees(rows, as_of)
    before_history = {row.key: row for row in selectors.register(as_of=date(2025, 6, 1))}
    alia = before_history["model/BSC-LT/ALIA-40b-instruct"]
    # No reading on that day: nothing is 0, everything is "not measured".
    for figure in (alia.downloads_30d, alia.downloads_since_funding, alia.derivatives, alia.spaces,
                   alia.eur_per_monthly_download):
        assert figure.status == "not_measured" and figure.value is None
    today_row = selectors.register_row(key="model/BSC-LT/ALIA-40b-instruct")
    assert today_row.downloads_since_funding.value >= today_row.downloads_30d.value > 0
    assert today_row.is_split  # 10.2 M€ for two models, divided here


@st.composite
def histories(draw):
    """Snapshots of up to three repositories on random days (the Hub's two counters disagreeing
    as they may), the repositories each funding names, their funding days and the day read."""
    repos = {}
    for repo_id in REPOS[:draw(st.integers(1, 3))]:
        days = sorted(draw(st.sets(st.integers(0, SPAN), max_size=12)))
        all_time = draw(st.integers(0, 500))
        snapshots = []
        for day in days:
            all_time += draw(st.integers(0, 300))
            with_all_time = draw(st.booleans()) or day == days[-1]
            snapshots.append((day, draw(st.integers(0, 400)), all_time if with_all_time else None))
        published = draw(st.one_of(st.none(), st.integers(-400, SPAN)))
        repos[repo_id] = (snapshots, published)
    names = sorted(repos)
    fundings = draw(st.lists(
        st.tuples(st.lists(st.sampled_from(names + ["lab"]), min_size=1, max_size=3, unique=True),
                  st.integers(-200, SPAN), st.integers(1, 10**7)),
        min_size=1, max_size=3))
    read_on = draw(st.integers(0, SPAN))
    return repos, fundings, read_on


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=histories())
def test_figures_agree_over_random_histories_and_fundings(staff, case):
    repos, fundings, read_on = case
    # Read on a past day: the figures are rebuilt from the snapshots alone (no cache, no live row).
    origin = timezone.localdate() - timedelta(days=SPAN + 1)
    as_of = origin + timedelta(days=read_on)
    with transaction.atomic():
        owner = hub.owner("lab")
        hub.catalogue(owner, [
            hub.remote(repo_id, hub_created_at=None if published is None else timezone.make_aware(
                datetime.combine(origin + timedelta(days=published), time(12))))
            for repo_id, (_snapshots, published) in repos.items()
        ], today=origin)
        ids = dict(HubRepository.objects.values_list("repo_id", "pk"))
        HubSnapshot.objects.filter(repository__owner=owner).delete()
        HubSnapshot.objects.bulk_create([
            HubSnapshot(repository_id=ids[repo_id], day=origin + timedelta(days=day), downloads=window,
                        downloads_all_time=all_time)
            for repo_id, (snapshots, _published) in repos.items() for day, window, all_time in snapshots
        ])
        for targets, awarded, amount in fundings:
            services.funding_record_create(actor=staff, data={
                "programme": "Programa", "funder": "Ministerio", "recipient": "Centro", "amount_eur": amount,
                "awarded_on": origin + timedelta(days=awarded), "sources": [{"url": "https://example.org/"}],
                "owners": ["lab"] if "lab" in targets else [],
                "repositories": [target for target in targets if target != "lab"],
            })
        rows = selectors.register(as_of=as_of)
        assert_register_agrees(rows, as_of)
        for row in rows:
            for readings, _count in row.members:
                read = {origin + timedelta(days=day) for day, *_values in repos[readings.repo_id][0]}
                if as_of not in read:  # a day with no snapshot is never 0
                    assert row.downloads_30d.status == "not_measured"
        transaction.set_rollback(True)
