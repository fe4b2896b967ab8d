"""Submissions: one per team per track, editable until hacking ends."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, InvalidInput, NotAllowed
from apps.hackathons import permissions
from apps.hackathons.models import Hackathon, Submission, SubmissionRepository, Team, Track
from apps.hackathons.services.common import local_time

# Hub rules for each part of `owner/name`: letters, digits, '-', '_' and '.', at most 96
# characters, not starting or ending with '-' or '.', and no '--' or '..'.
_PART = r"(?!.*(?:--|\.\.))[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_PART_RE = re.compile(rf"^{_PART}$")


def is_valid_repo_id(repo_id: str) -> bool:
    if repo_id.count("/") != 1:
        return False
    owner, name = repo_id.split("/")
    return bool(_PART_RE.match(owner) and _PART_RE.match(name))


def clean_repositories(repositories) -> list[tuple[str, str]]:
    """Validate [(kind, repo_id), ...]; raise InvalidInput naming the bad ones."""
    kinds = set(SubmissionRepository.Kind.values)
    cleaned, bad = [], []
    for kind, repo_id in repositories:
        repo_id = (repo_id or "").strip()
        if not repo_id:
            continue
        if kind not in kinds or not is_valid_repo_id(repo_id):
            bad.append(repo_id)
        elif (kind, repo_id) not in cleaned:
            cleaned.append((kind, repo_id))
    if bad:
        raise InvalidInput(
            errors={
                "repositories": [
                    _("“%(repo)s” is not a Hugging Face repository id of the form owner/name.") % {"repo": r}
                    for r in bad
                ]
            }
        )
    return cleaned


def submissions_open(hackathon: Hackathon, now=None) -> bool:
    now = now or timezone.now()
    return hackathon.state == Hackathon.State.IN_PROGRESS and now < hackathon.hacking_ends_at


@transaction.atomic
def submission_save(
    *, user, team: Team, track: Track, title: str, description: str, source_url: str = "",
    video_url: str = "", repositories=(),
) -> Submission:
    """Create or update the team's submission to `track`."""
    # Lock the team so membership changes and submission checks do not interleave.
    team = Team.objects.select_for_update().select_related("hackathon").get(pk=team.pk)
    hackathon = team.hackathon
    if not permissions.is_team_member(user, team):
        raise NotAllowed(_("Only members of the team can submit for it."))
    if track.hackathon_id != hackathon.pk:
        raise InvalidInput(errors={"track": [_("This track belongs to another hackathon.")]})
    now = timezone.now()
    if now >= hackathon.hacking_ends_at or hackathon.state in (
        Hackathon.State.JUDGING, Hackathon.State.FINISHED, Hackathon.State.CANCELLED
    ):
        raise Conflict(
            _("The submission deadline was %(deadline)s. Submissions can no longer be created or changed.")
            % {"deadline": local_time(hackathon, hackathon.hacking_ends_at)}
        )
    if not submissions_open(hackathon, now):
        raise Conflict(_("Submissions open when hacking starts."))
    members = team.memberships.count()
    if members < hackathon.min_team_size:
        raise Conflict(
            _("Teams need at least %(min)s members to submit; yours has %(n)s.")
            % {"min": hackathon.min_team_size, "n": members}
        )
    errors = {}
    if not title.strip():
        errors["title"] = [_("A title is required.")]
    if not description.strip():
        errors["description"] = [_("Describe what you built.")]
    try:
        repos = clean_repositories(repositories)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors=errors)
    submission, _created = Submission.objects.update_or_create(
        team=team, track=track,
        defaults={
            "hackathon": hackathon, "title": title.strip(), "description": description,
            "source_url": source_url, "video_url": video_url, "submitted_by": user,
        },
    )
    submission.repositories.all().delete()
    SubmissionRepository.objects.bulk_create(
        SubmissionRepository(submission=submission, kind=kind, repo_id=repo_id) for kind, repo_id in repos
    )
    return submission
