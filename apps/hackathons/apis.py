"""REST API of hackathons: one view per operation, each with its own small serializers."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_filters import query_filters
from apps.core.errors import NotAllowed, NotFound
from apps.core.pagination import PageNumberPagination, paginated
from apps.core.visitor_cache import api_for_visitors
from apps.hackathons import permissions, selectors
from apps.hackathons.models import (
    Hackathon,
    HackathonTransition,
    Judge,
    Registration,
    RubricCriterion,
    Submission,
    Team,
    Track,
)
from apps.hackathons.services import judging, lifecycle, registrations, submissions, teams
from apps.hackathons.services.lifecycle import SCHEDULE_FIELDS



def _hackathon(request, slug) -> Hackathon:
    return selectors.hackathon_get(user=request.user, slug=slug)


def _remove_for_organisers(request, slug, model, pk, remove, argument: str) -> Response:
    """DELETE of one of a hackathon's parts (track, criterion, judge) by its organisers."""
    hackathon = _manager(request, slug)
    remove(actor=request.user, **{argument: get_object_or_404(model, pk=pk, hackathon=hackathon)})
    return Response(status=status.HTTP_204_NO_CONTENT)


def _manager(request, slug) -> Hackathon:
    hackathon = _hackathon(request, slug)
    if not permissions.can_manage_hackathon(request.user, hackathon):
        raise NotAllowed()
    return hackathon


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")


class TrackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name", "description"]


class HackathonSummarySerializer(serializers.ModelSerializer):
    participant_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Hackathon
        fields = [
            "slug", "title", "summary", "state", "format", "languages", "timezone",
            "hacking_starts_at", "hacking_ends_at", "participant_count",
        ]


class HackathonDetailSerializer(serializers.ModelSerializer):
    tracks = TrackSerializer(many=True, read_only=True)
    organisers = PersonSerializer(many=True, read_only=True)
    results_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = Hackathon
        fields = [
            "slug", "title", "summary", "description", "rules", "prizes", "state", "format", "venue",
            "languages", "timezone", "join_policy", "capacity", "min_team_size", "max_team_size",
            *SCHEDULE_FIELDS, "results_published", "results_published_at", "cancellation_reason",
            "tracks", "organisers",
        ]


class HackathonInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    summary = serializers.CharField(max_length=280)
    description = serializers.CharField(required=False, allow_blank=True)
    rules = serializers.CharField(required=False, allow_blank=True)
    prizes = serializers.CharField(required=False, allow_blank=True)
    languages = serializers.CharField(required=False, max_length=60)
    format = serializers.ChoiceField(choices=Hackathon.Format.choices, required=False)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=200)
    timezone = serializers.CharField(required=False, max_length=64)
    join_policy = serializers.ChoiceField(choices=Hackathon.JoinPolicy.choices, required=False)
    allowed_email_domains = serializers.CharField(required=False, allow_blank=True, max_length=300)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=lifecycle.MAX_CAPACITY)
    min_team_size = serializers.IntegerField(required=False, min_value=1, max_value=lifecycle.MAX_TEAM_SIZE)
    max_team_size = serializers.IntegerField(required=False, min_value=1, max_value=lifecycle.MAX_TEAM_SIZE)
    registration_opens_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField()
    hacking_starts_at = serializers.DateTimeField()
    hacking_ends_at = serializers.DateTimeField()
    judging_ends_at = serializers.DateTimeField()
    results_at = serializers.DateTimeField()
    tracks = serializers.ListField(child=serializers.CharField(max_length=120), required=False)


class HackathonListApi(APIView):
    """Hackathons the caller may see; organisers create new ones (as drafts)."""

    class FilterSerializer(serializers.Serializer):
        period = serializers.ChoiceField(choices=list(selectors.PERIODS), required=False)
        format = serializers.ChoiceField(choices=Hackathon.Format.choices, required=False)
        language = serializers.CharField(required=False, allow_blank=True, max_length=8)
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)

    @extend_schema(responses=HackathonSummarySerializer(many=True))
    @api_for_visitors("hackathons", members_share_by=selectors.hackathon_list_audience)
    def get(self, request):
        qs = selectors.hackathon_list(user=request.user, **query_filters(self, request))
        return paginated(self, request, qs, HackathonSummarySerializer)

    @extend_schema(request=HackathonInputSerializer, responses={201: HackathonDetailSerializer})
    def post(self, request):
        data = HackathonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        tracks = fields.pop("tracks", [])
        hackathon = lifecycle.hackathon_create(actor=request.user, tracks=tracks, **fields)
        return Response(HackathonDetailSerializer(hackathon).data, status=status.HTTP_201_CREATED)


class HackathonDetailApi(APIView):
    @extend_schema(responses=HackathonDetailSerializer)
    def get(self, request, slug):
        return Response(HackathonDetailSerializer(_hackathon(request, slug)).data)

    @extend_schema(request=HackathonInputSerializer(partial=True), responses=HackathonDetailSerializer)
    def patch(self, request, slug):
        hackathon = _hackathon(request, slug)
        data = HackathonInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("tracks", None)
        hackathon = lifecycle.hackathon_update(actor=request.user, hackathon=hackathon, **fields)
        return Response(HackathonDetailSerializer(_hackathon(request, slug)).data)


class HackathonTransitionApi(APIView):
    """The lifecycle log (organisers) and the organisers' actions that move it."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=list(lifecycle.TRANSITIONS))
        reason = serializers.CharField(required=False, allow_blank=True)

    class OutputSerializer(serializers.ModelSerializer):
        actor = serializers.CharField(source="actor.username", default=None)
        from_state = serializers.CharField()
        to_state = serializers.CharField()

        class Meta:
            model = HackathonTransition
            fields = ["from_state", "to_state", "actor", "reason", "created_at"]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _manager(request, slug)
        return paginated(self, request, selectors.transitions_for(hackathon=hackathon), self.OutputSerializer)

    @extend_schema(request=InputSerializer, responses=HackathonDetailSerializer)
    def post(self, request, slug):
        hackathon = _hackathon(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lifecycle.hackathon_transition(actor=request.user, hackathon=hackathon, **data.validated_data)
        return Response(HackathonDetailSerializer(_hackathon(request, slug)).data)


class RegistrationOutputSerializer(serializers.ModelSerializer):
    user = PersonSerializer()

    class Meta:
        model = Registration
        fields = ["id", "user", "status", "motivation", "looking_for", "decision_reason", "checked_in_at", "created_at"]


class MyRegistrationApi(APIView):
    """The caller's registration: read, register, withdraw."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        agreed = serializers.BooleanField()
        motivation = serializers.CharField(required=False, allow_blank=True)
        looking_for = serializers.CharField(required=False, allow_blank=True, max_length=300)

    @extend_schema(responses=RegistrationOutputSerializer)
    def get(self, request, slug):
        registration = selectors.registration_for(user=request.user, hackathon=_hackathon(request, slug))
        if registration is None:
            raise NotFound(_("You are not registered for this hackathon."))
        return Response(RegistrationOutputSerializer(registration).data)

    @extend_schema(request=InputSerializer, responses={201: RegistrationOutputSerializer})
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = registrations.registration_create(
            user=request.user, hackathon=_hackathon(request, slug), **data.validated_data
        )
        return Response(RegistrationOutputSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RegistrationOutputSerializer)
    def delete(self, request, slug):
        registration = registrations.registration_cancel(user=request.user, hackathon=_hackathon(request, slug))
        return Response(RegistrationOutputSerializer(registration).data)


class RegistrationListApi(APIView):
    """Every registration, for the organisers (`?status=`)."""

    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Registration.Status.choices, required=False)

    @extend_schema(responses=RegistrationOutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _manager(request, slug)
        qs = selectors.registrations_for_hackathon(hackathon=hackathon, **query_filters(self, request))
        return paginated(self, request, qs, RegistrationOutputSerializer)


class RegistrationDecisionApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        approve = serializers.BooleanField()
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=RegistrationOutputSerializer)
    def post(self, request, slug, registration_id):
        hackathon = _manager(request, slug)
        registration = get_object_or_404(Registration, pk=registration_id, hackathon=hackathon)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = registrations.registration_decide(actor=request.user, registration=registration, **data.validated_data)
        return Response(RegistrationOutputSerializer(registration).data)


class RegistrationRemovalApi(APIView):
    """Organisers take a participant out of the hackathon, with a reason they are sent."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses=RegistrationOutputSerializer)
    def post(self, request, slug, registration_id):
        hackathon = _manager(request, slug)
        registration = get_object_or_404(Registration, pk=registration_id, hackathon=hackathon)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = registrations.registration_remove(actor=request.user, registration=registration, **data.validated_data)
        return Response(RegistrationOutputSerializer(registration).data)


class RegistrationCheckInApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=RegistrationOutputSerializer)
    def post(self, request, slug, registration_id):
        hackathon = _manager(request, slug)
        registration = get_object_or_404(Registration, pk=registration_id, hackathon=hackathon)
        registration = registrations.registration_check_in(actor=request.user, registration=registration)
        return Response(RegistrationOutputSerializer(registration).data)


class TeamOutputSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "members", "created_at"]

    def get_members(self, team) -> list[str]:
        return [m.user.username for m in team.memberships.all()]


class MyTeamOutputSerializer(TeamOutputSerializer):
    class Meta(TeamOutputSerializer.Meta):
        fields = [*TeamOutputSerializer.Meta.fields, "invite_code"]


class TeamListApi(APIView):
    """The teams of a hackathon; a confirmed participant creates one."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=80)

    class OutputSerializer(serializers.ModelSerializer):
        """Members by talent-profile handle, only those whose profile the caller may see."""

        members = serializers.SerializerMethodField()
        member_count = serializers.IntegerField()

        class Meta:
            model = Team
            fields = ["id", "name", "members", "member_count", "created_at"]

        def get_members(self, team) -> list[str]:
            handles = self.context["handles"]
            return [handles[m.user_id] for m in team.memberships.all() if m.user_id in handles]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _hackathon(request, slug)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.teams_for_hackathon(hackathon=hackathon), request, self)
        handles = selectors.visible_member_handles(viewer=request.user, hackathon=hackathon, teams=page)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True, context={"handles": handles}).data)

    @extend_schema(request=InputSerializer, responses={201: MyTeamOutputSerializer})
    def post(self, request, slug):
        if not request.user.is_authenticated:
            raise NotAllowed()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = teams.team_create(user=request.user, hackathon=_hackathon(request, slug), name=data.validated_data["name"])
        return Response(MyTeamOutputSerializer(team).data, status=status.HTTP_201_CREATED)


class MyTeamApi(APIView):
    """The caller's team, with its invite code."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MyTeamOutputSerializer)
    def get(self, request, slug):
        team = selectors.team_for_user(user=request.user, hackathon=_hackathon(request, slug))
        if team is None:
            raise NotFound(_("You are not in a team for this hackathon."))
        return Response(MyTeamOutputSerializer(team).data)


class TeamJoinApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        invite_code = serializers.CharField(max_length=24)

    @extend_schema(request=InputSerializer, responses=MyTeamOutputSerializer)
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = teams.team_join_by_code(user=request.user, hackathon=_hackathon(request, slug), **data.validated_data)
        return Response(MyTeamOutputSerializer(membership.team).data)


def _my_team(request, slug, team_id) -> Team:
    hackathon = _hackathon(request, slug)
    return get_object_or_404(Team, pk=team_id, hackathon=hackathon)


class TeamInviteApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        handle = serializers.CharField(max_length=150)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        invitee = serializers.CharField(source="invitee.username")
        status = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, slug, team_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = teams.team_invite(actor=request.user, team=_my_team(request, slug, team_id), **data.validated_data)
        return Response(self.OutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class TeamInvitationWithdrawApi(APIView):
    """A team member withdraws one of the team's pending invitations (the invitee is not notified)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, team_id, invitation_id):
        teams.invitation_withdraw(actor=request.user, team=_my_team(request, slug, team_id), invitation_id=invitation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamLeaveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, slug, team_id):
        teams.team_leave(user=request.user, team=_my_team(request, slug, team_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAnswerApi(APIView):
    """Accept or decline a team invitation addressed to the caller."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        accept = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request, invitation_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["accept"]:
            teams.invitation_accept(user=request.user, invitation_id=invitation_id)
        else:
            teams.invitation_decline(user=request.user, invitation_id=invitation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LookingForTeamApi(APIView):
    """Confirmed participants without a team, for participants and organisers."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        name = serializers.CharField(source="user.__str__")
        looking_for = serializers.CharField()
        skills = serializers.ListField(child=serializers.CharField())

    class FilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(required=False, min_value=1, default=1)
        page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=24)

    @extend_schema(
        responses=inline_serializer(
            "LookingForTeamPage", {"count": serializers.IntegerField(), "results": OutputSerializer(many=True)}
        ),
    )
    def get(self, request, slug):
        hackathon = _hackathon(request, slug)
        if not permissions.can_use_team_pages(request.user, hackathon):
            raise NotAllowed()
        filters = query_filters(self, request)
        page = selectors.looking_for_team(
            viewer=request.user, hackathon=hackathon, page=filters["page"], per_page=filters["page_size"]
        )
        return Response(
            {"count": page.paginator.count, "results": self.OutputSerializer(page.object_list, many=True).data}
        )


class RepositorySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["model", "dataset", "space"])
    repo_id = serializers.CharField(max_length=193)


class SubmissionOutputSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name")
    track = serializers.CharField(source="track.name")
    repositories = RepositorySerializer(many=True)

    class Meta:
        model = Submission
        fields = ["id", "title", "description", "team", "track", "repositories", "source_url", "video_url", "created_at", "updated_at"]


class SubmissionListApi(APIView):
    """The gallery (public once results are out; organisers and judges before); teams submit here."""

    class InputSerializer(serializers.Serializer):
        track = serializers.IntegerField()
        title = serializers.CharField(max_length=160)
        description = serializers.CharField()
        source_url = serializers.URLField(required=False, allow_blank=True, default="")
        video_url = serializers.URLField(required=False, allow_blank=True, default="")
        repositories = RepositorySerializer(many=True, required=False, default=list)

    @extend_schema(responses=SubmissionOutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _hackathon(request, slug)
        return paginated(self, request, selectors.submissions_for_hackathon(user=request.user, hackathon=hackathon), SubmissionOutputSerializer)

    @extend_schema(request=InputSerializer, responses=SubmissionOutputSerializer)
    def post(self, request, slug):
        hackathon = _hackathon(request, slug)
        team = selectors.team_for_user(user=request.user, hackathon=hackathon)
        if team is None:
            raise NotAllowed()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        track = get_object_or_404(Track, pk=fields.pop("track"), hackathon=hackathon)
        repos = [(r["kind"], r["repo_id"]) for r in fields.pop("repositories")]
        submission = submissions.submission_save(user=request.user, team=team, track=track, repositories=repos, **fields)
        return Response(SubmissionOutputSerializer(submission).data)


class AssignmentListApi(APIView):
    """The caller's judging assignments."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        submission = serializers.IntegerField(source="submission_id")
        title = serializers.CharField(source="submission.title")
        team = serializers.CharField(source="submission.team.name")
        track = serializers.CharField(source="submission.track.name")
        complete = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _hackathon(request, slug)
        judge = permissions.judge_for(request.user, hackathon)
        if judge is None:
            raise NotAllowed()
        qs = selectors.judge_assignments(judge=judge, criteria=hackathon.criteria.count())
        return paginated(self, request, qs, self.OutputSerializer)


class ScorecardApi(APIView):
    """A judge scores every rubric criterion of one assigned submission."""

    permission_classes = [IsAuthenticated]

    class ScoreSerializer(serializers.Serializer):
        criterion = serializers.IntegerField()
        value = serializers.IntegerField(min_value=0, max_value=judging.MAX_SCORE)
        comment = serializers.CharField(required=False, allow_blank=True, default="")

    class InputSerializer(serializers.Serializer):
        scores = serializers.ListField(child=serializers.DictField(), max_length=200)

    class OutputSerializer(serializers.Serializer):
        criterion = serializers.IntegerField(source="criterion_id")
        value = serializers.IntegerField()
        comment = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer(many=True))
    def post(self, request, slug, submission_id):
        hackathon = _hackathon(request, slug)
        submission = get_object_or_404(Submission, pk=submission_id, hackathon=hackathon)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = self.ScoreSerializer(data=data.validated_data["scores"], many=True)
        rows.is_valid(raise_exception=True)
        scores = {r["criterion"]: (r["value"], r["comment"]) for r in rows.validated_data}
        saved = judging.scorecard_submit(user=request.user, submission=submission, scores=scores)
        return Response(self.OutputSerializer(saved, many=True).data)


class LeaderboardApi(APIView):
    """Ranking per track; organisers only until results are published."""

    class OutputSerializer(serializers.Serializer):
        position = serializers.IntegerField()
        submission = serializers.IntegerField(source="submission.id")
        title = serializers.CharField(source="submission.title")
        team = serializers.CharField(source="submission.team.name")
        track = serializers.CharField(source="submission.track.name")
        score = serializers.FloatField(source="percent")
        judges = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _hackathon(request, slug)
        rows = selectors.leaderboard(user=request.user, hackathon=hackathon)
        return paginated(self, request, rows, self.OutputSerializer)


class CriterionApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = None  # a short list, answered whole

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        weight = serializers.IntegerField(min_value=1, max_value=judging.MAX_WEIGHT, default=1)
        max_score = serializers.IntegerField(min_value=1, max_value=judging.MAX_SCORE, default=10)
        description = serializers.CharField(required=False, allow_blank=True, default="")

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = RubricCriterion
            fields = ["id", "name", "description", "weight", "max_score"]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _hackathon(request, slug)
        return Response(self.OutputSerializer(hackathon.criteria.all(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        criterion = judging.criterion_add(actor=request.user, hackathon=_hackathon(request, slug), **data.validated_data)
        return Response(self.OutputSerializer(criterion).data, status=status.HTTP_201_CREATED)


class CriterionDetailApi(APIView):
    """Organisers remove a rubric criterion (only until judging starts)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, criterion_id):
        return _remove_for_organisers(request, slug, RubricCriterion, criterion_id, judging.criterion_remove, "criterion")


class JudgeApi(APIView):
    """Organisers invite judges by handle; the list shows their judging progress."""

    permission_classes = [IsAuthenticated]
    pagination_class = None  # a short list, answered whole

    class InputSerializer(serializers.Serializer):
        handle = serializers.CharField(max_length=150)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="judge.id")
        username = serializers.CharField(source="judge.user.username")
        assigned = serializers.IntegerField()
        completed = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, slug):
        hackathon = _manager(request, slug)
        return Response(self.OutputSerializer(selectors.judging_progress(hackathon=hackathon), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: None})
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        judging.judge_add(actor=request.user, hackathon=_hackathon(request, slug), **data.validated_data)
        return Response(status=status.HTTP_201_CREATED)


class JudgeDetailApi(APIView):
    """Organisers remove a judge with their assignments; refused once the judge has scored."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, judge_id):
        return _remove_for_organisers(request, slug, Judge, judge_id, judging.judge_remove, "judge")


class OrganiserApi(APIView):
    """The organisers of a hackathon; an organiser adds another by handle."""

    permission_classes = [IsAuthenticated]
    pagination_class = None  # a short list, answered whole

    class InputSerializer(serializers.Serializer):
        handle = serializers.CharField(max_length=150)

    @extend_schema(responses=PersonSerializer(many=True))
    def get(self, request, slug):
        hackathon = _manager(request, slug)
        return Response(PersonSerializer(hackathon.organisers.all(), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: PersonSerializer})
    def post(self, request, slug):
        hackathon = _manager(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = lifecycle.hackathon_organiser_add(actor=request.user, hackathon=hackathon, **data.validated_data)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class OrganiserDetailApi(APIView):
    """Remove an organiser (or leave, for oneself); the last organiser cannot go."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, user_id):
        hackathon = _manager(request, slug)
        person = get_object_or_404(hackathon.organisers.all(), pk=user_id)
        lifecycle.hackathon_organiser_remove(actor=request.user, hackathon=hackathon, user=person)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrackApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: TrackSerializer})
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        track = lifecycle.track_add(actor=request.user, hackathon=_hackathon(request, slug), **data.validated_data)
        return Response(TrackSerializer(track).data, status=status.HTTP_201_CREATED)


class TrackDetailApi(APIView):
    """Organisers remove a track before hacking starts, if no submission uses it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug, track_id):
        return _remove_for_organisers(request, slug, Track, track_id, lifecycle.track_remove, "track")
