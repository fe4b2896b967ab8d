"""The compute REST API: one view per operation, with its own small serializers."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compute import permissions, selectors
from apps.compute.models import AllocationRequest, Call, ChangeRequest, ExpectedOutput, ReviewerAssignment
from apps.compute.services import decisions, requests, review, usage
from apps.core.api_input import changes_input
from apps.core.errors import NotAllowed
from apps.core.pagination import paginated
from apps.core.visitor_cache import api_for_visitors

UNITS = {"max_digits": 14, "decimal_places": 2}


def _visible_request(user, pk) -> AllocationRequest:
    allocation = selectors.request_detail(user=user, pk=pk)
    if allocation is None:
        raise Http404
    return allocation


def _managed_call(user, slug) -> Call:
    call = selectors.call_detail(slug=slug)
    if call is None or not permissions.is_call_manager(user, call):
        raise Http404
    return call


# --- Output shapes ---------------------------------------------------------------


class CallOutputSerializer(serializers.ModelSerializer):
    resource = serializers.CharField(source="resource.name")
    provider = serializers.CharField(source="resource.provider")
    unit = serializers.CharField(source="resource.unit")
    granted = serializers.DecimalField(**UNITS)

    class Meta:
        model = Call
        fields = ["id", "slug", "title", "resource", "provider", "unit", "budget", "granted", "per_request_max",
                  "opens_at", "closes_at", "review_deadline", "blind_review", "score_visibility"]


class CallDetailOutputSerializer(CallOutputSerializer):
    class CriterionSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        description = serializers.CharField()
        weight = serializers.IntegerField()

    criteria = CriterionSerializer(many=True)
    used = serializers.DecimalField(**UNITS)

    class Meta(CallOutputSerializer.Meta):
        fields = CallOutputSerializer.Meta.fields + ["description", "eligibility", "criteria", "used"]


class OutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpectedOutput
        fields = ["kind", "repo_id", "licence"]


class GrantSerializer(serializers.Serializer):
    units = serializers.DecimalField(**UNITS)
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class RequestOutputSerializer(serializers.ModelSerializer):
    """A request as the viewer may see it: blind review hides who applied."""

    call = serializers.CharField(source="call.slug")
    applicant = serializers.SerializerMethodField()
    applicant_affiliation = serializers.SerializerMethodField()
    grant = serializers.SerializerMethodField()
    used = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField()
    overrun = serializers.SerializerMethodField()

    class Meta:
        model = AllocationRequest
        fields = ["id", "call", "title", "status", "applicant", "applicant_affiliation", "requested_units",
                  "desired_start", "duration_days", "submitted_at", "decided_at", "grant", "used", "remaining",
                  "overrun"]

    def _identity(self, obj) -> bool:
        return permissions.can_see_applicant_identity(self.context["request"].user, obj)

    def get_applicant(self, obj) -> str | None:
        return str(obj.applicant) if self._identity(obj) else None

    def get_applicant_affiliation(self, obj) -> str | None:
        return obj.applicant_affiliation if self._identity(obj) else None

    def get_grant(self, obj) -> dict | None:
        grant = getattr(obj, "grant", None)
        return GrantSerializer(grant).data if grant else None

    def get_used(self, obj) -> str | None:
        used = getattr(obj, "used", None)
        return str(used) if used is not None and getattr(obj, "grant", None) else None

    def get_remaining(self, obj) -> str | None:
        grant, used = getattr(obj, "grant", None), getattr(obj, "used", None)
        return str(grant.units - used) if grant and used is not None else None

    def get_overrun(self, obj) -> bool:
        """Usage beyond the grant is shown, never hidden."""
        grant, used = getattr(obj, "grant", None), getattr(obj, "used", None)
        return bool(grant and used is not None and used > grant.units)


class RequestDetailOutputSerializer(RequestOutputSerializer):
    collaborators = serializers.SerializerMethodField()
    outputs = OutputSerializer(many=True)
    attachments = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()

    class Meta(RequestOutputSerializer.Meta):
        fields = RequestOutputSerializer.Meta.fields + [
            "abstract", "justification", "data_management", "collaborators", "outputs", "attachments", "reviews"]

    def get_collaborators(self, obj) -> list[dict]:
        if not self._identity(obj):
            return []
        if obj.applicant_id == self.context["request"].user.pk:
            # The applicant sees the addresses they typed, the same whether each has an account.
            return [{"email": email, "affiliation": affiliation}
                    for email, affiliation in selectors.collaborator_addresses(obj)]
        return [{"name": str(m.user), "affiliation": m.affiliation} for m in obj.members.all()]

    def get_attachments(self, obj) -> list[dict]:
        user = self.context["request"].user
        return [
            {"id": a.id, "name": permissions.attachment_name(user, obj, a), "size": a.size,
             "url": reverse("compute:attachment", args=[obj.pk, a.pk])}
            for a in obj.attachments.all()
        ]

    def get_reviews(self, obj) -> list[dict] | None:
        """Scores per the call's visibility rule; the applicant sees none, reviewers are never named."""
        user = self.context["request"].user
        if not permissions.can_see_other_scores(user, obj):
            return None
        is_manager = permissions.is_call_manager(user, obj.call)
        return [
            {
                "reviewer": str(a.reviewer) if is_manager else None,
                "status": a.status, "recommendation": a.recommendation,
                "weighted_score": str(a.weighted_score) if a.weighted_score is not None else None,
                "scores": {s.criterion.name: s.value for s in a.scores.all()},
            }
            for a in obj.assignments.all() if a.status == ReviewerAssignment.Status.SUBMITTED
        ]


class TransitionOutputSerializer(serializers.Serializer):
    actor = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_actor(self, obj) -> str | None:
        if obj.actor is None:
            return None
        if not self.context.get("show_identity") and obj.actor_id == self.context.get("applicant_id"):
            return None
        return str(obj.actor)


class AssignmentOutputSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(source="request_id")
    title = serializers.CharField(source="request.title")
    call = serializers.CharField(source="request.call.slug")
    review_deadline = serializers.DateTimeField(source="request.call.review_deadline")
    status = serializers.CharField(help_text="assigned, submitted or conflict")

    class Meta:
        model = ReviewerAssignment
        fields = ["id", "request", "title", "call", "status", "recommendation", "weighted_score",
                  "submitted_at", "review_deadline"]


class ManagerRequestOutputSerializer(serializers.ModelSerializer):
    applicant = serializers.CharField()
    reviewers = serializers.SerializerMethodField()
    mean_score = serializers.SerializerMethodField()
    granted = serializers.SerializerMethodField()
    used = serializers.DecimalField(**UNITS)

    class Meta:
        model = AllocationRequest
        fields = ["id", "title", "applicant", "applicant_affiliation", "status", "requested_units", "granted",
                  "used", "reviewers", "mean_score", "staged_decision", "staged_units", "submitted_at"]

    def get_reviewers(self, obj) -> list[dict]:
        return [{"reviewer": str(a.reviewer), "status": a.status, "recommendation": a.recommendation,
                 "weighted_score": str(a.weighted_score) if a.weighted_score is not None else None}
                for a in obj.assignments.all()]

    def get_mean_score(self, obj) -> str | None:
        scores = [a.weighted_score for a in obj.assignments.all() if a.weighted_score is not None]
        return str(round(sum(scores) / len(scores), 2)) if scores else None

    def get_granted(self, obj) -> str | None:
        grant = getattr(obj, "grant", None)
        return str(grant.units) if grant else None


class UsageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    request = serializers.IntegerField(source="grant.request_id")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    units = serializers.DecimalField(**UNITS)
    source = serializers.CharField()


# --- Calls and the public ledger ----------------------------------------------------


class CallCriterionInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    weight = serializers.IntegerField(min_value=1, max_value=100)


class CallInput(serializers.Serializer):
    """People by id (`manager_ids`) or by e-mail or username (`managers`); both lists are merged."""

    resource = serializers.SlugField()
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80, required=False, help_text="Made from the title when left out.")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    eligibility = serializers.CharField(required=False, allow_blank=True, default="")
    budget = serializers.DecimalField(**UNITS)
    per_request_max = serializers.DecimalField(**UNITS)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    review_deadline = serializers.DateTimeField()
    blind_review = serializers.BooleanField(default=False)
    score_visibility = serializers.ChoiceField(choices=Call.ScoreVisibility.choices,
                                               default=Call.ScoreVisibility.AFTER_OWN)
    criteria = CallCriterionInput(many=True)
    manager_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    reviewer_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    managers = serializers.ListField(child=serializers.CharField(max_length=254), required=False)
    reviewers = serializers.ListField(child=serializers.CharField(max_length=254), required=False)


def _call_values(values: dict) -> dict:
    """Validated input → service keyword arguments (resource, criteria and people resolved)."""
    users = get_user_model().objects
    if "resource" in values:
        values["resource"] = selectors.resources().filter(slug=values["resource"]).first()
    if "criteria" in values:
        values["criteria"] = [(c["name"], c["weight"]) for c in values["criteria"]]
    for role in ("managers", "reviewers"):
        ids, names = values.pop(f"{role[:-1]}_ids", None), values.pop(role, None)
        if ids is None and names is None:
            continue
        people = list(users.filter(pk__in=ids or []))
        if ids and len(people) != len(set(ids)):
            raise serializers.ValidationError({f"{role[:-1]}_ids": ["Unknown member id."]})
        people += [u for u in requests.members_by_identifier(names or [], field=role) if u not in people]
        values[role] = people
    return values


class CallListApi(APIView):
    """Calls are public; staff open new ones (managers and panel are named at creation)."""

    permission_classes = [AllowAny]
    InputSerializer = CallInput

    @extend_schema(responses=CallOutputSerializer(many=True))
    def get(self, request):
        return paginated(self, request, selectors.call_list(), CallOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: CallDetailOutputSerializer})
    def post(self, request):
        if not permissions.can_open_call(request.user):
            raise NotAllowed(_("Only staff can open calls."))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {"slug": "", **data.validated_data}
        call = requests.call_create(actor=request.user, **_call_values(values))
        return Response(CallDetailOutputSerializer(selectors.call_detail(slug=call.slug)).data, status=201)


class CallDetailApi(APIView):
    """A public call; staff edit it with PATCH (send only what changes; the slug never changes)."""

    permission_classes = [AllowAny]

    class InputSerializer(CallInput):
        slug = None

    @extend_schema(responses=CallDetailOutputSerializer)
    def get(self, request, slug):
        call = selectors.call_detail(slug=slug)
        if call is None:
            raise Http404
        return Response(CallDetailOutputSerializer(call).data)

    @extend_schema(request=InputSerializer, responses=CallDetailOutputSerializer)
    def patch(self, request, slug):
        call = selectors.call_detail(slug=slug)
        if call is None:
            raise Http404
        if not permissions.can_edit_call(request.user, call):
            raise NotAllowed(_("Only staff can edit calls."))
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        requests.call_update(actor=request.user, call=call, **_call_values(dict(data.validated_data)))
        return Response(CallDetailOutputSerializer(selectors.call_detail(slug=slug)).data)


class DashboardApi(APIView):
    """The public ledger: per call and per resource totals, and outputs of funded projects."""

    permission_classes = [AllowAny]

    class LedgerSerializer(serializers.Serializer):
        name = serializers.CharField()
        slug = serializers.CharField()
        unit = serializers.CharField()
        budget = serializers.DecimalField(**UNITS)
        granted = serializers.DecimalField(**UNITS)
        used = serializers.DecimalField(**UNITS)
        measured = serializers.DecimalField(**UNITS, help_text="The part of `used` measured by the scheduler.")
        requests = serializers.IntegerField()
        approved = serializers.IntegerField()
        acceptance_rate = serializers.IntegerField(allow_null=True)
        mean_days = serializers.FloatField(allow_null=True)
        median_days = serializers.FloatField(allow_null=True)
        overrun = serializers.BooleanField()

    class AdoptionSerializer(serializers.Serializer):
        promised = serializers.IntegerField()
        published = serializers.IntegerField()
        downloads_30d = serializers.IntegerField()

    class OutputSerializer(serializers.Serializer):
        calls = serializers.ListField()
        resources = serializers.ListField()
        funded_outputs = serializers.ListField(child=serializers.CharField())
        funded_outputs_adoption = serializers.DictField()

    @extend_schema(responses=OutputSerializer)
    @api_for_visitors("compute", "hub")
    def get(self, request):
        per_call, per_resource = selectors.public_ledger()
        return Response({
            "calls": self.LedgerSerializer(per_call, many=True).data,
            "resources": self.LedgerSerializer(per_resource, many=True).data,
            "funded_outputs": selectors.funded_output_repo_ids(),
            "funded_outputs_adoption": self.AdoptionSerializer(selectors.funded_outputs_adoption()).data,
        })


# --- Requests -------------------------------------------------------------------------


class CollaboratorInput(serializers.Serializer):
    email = serializers.EmailField()
    affiliation = serializers.CharField(allow_blank=True, required=False, default="")


class RequestFieldsInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    abstract = serializers.CharField()
    justification = serializers.CharField()
    data_management = serializers.CharField(required=False, allow_blank=True, default="")
    requested_units = serializers.DecimalField(**UNITS)
    desired_start = serializers.DateField()
    duration_days = serializers.IntegerField(min_value=1)
    applicant_affiliation = serializers.CharField(max_length=200)
    collaborators = CollaboratorInput(many=True, required=False, default=list)
    outputs = OutputSerializer(many=True, required=False, default=list)


def _collaborators(items):
    """Whether an address has an account is never said (see PendingCollaborator)."""
    return requests.collaborators_from_emails([(item["email"], item["affiliation"]) for item in items])


class RequestListApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(RequestFieldsInput):
        call = serializers.SlugField()
        submit = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=RequestOutputSerializer(many=True))
    def get(self, request):
        """Requests the caller may see (as applicant, collaborator, manager or reviewer)."""
        return paginated(self, request, selectors.request_list(user=request.user), RequestOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: RequestDetailOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        call = selectors.call_detail(slug=values.pop("call"))
        if call is None:
            raise serializers.ValidationError({"call": ["No such call."]})
        submit = values.pop("submit")
        values["collaborators"] = _collaborators(values["collaborators"])
        values["outputs"] = [requests.Output(**o) for o in values["outputs"]]
        allocation = requests.request_create(applicant=request.user, call=call, **values)
        if submit:
            requests.request_submit(actor=request.user, request=allocation)
        return Response(RequestDetailOutputSerializer(_visible_request(request.user, allocation.pk),
                                                      context={"request": request}).data, status=201)


class RequestDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    InputSerializer = RequestFieldsInput  # send only what changes (apps.core.api_input)

    @extend_schema(responses=RequestDetailOutputSerializer)
    def get(self, request, pk):
        return Response(RequestDetailOutputSerializer(_visible_request(request.user, pk),
                                                      context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=RequestDetailOutputSerializer)
    def patch(self, request, pk):
        allocation = _visible_request(request.user, pk)
        values = changes_input(self.InputSerializer, request.data)
        if "collaborators" in values:
            values["collaborators"] = _collaborators(values["collaborators"])
        if "outputs" in values:
            values["outputs"] = [requests.Output(**o) for o in values["outputs"]]
        requests.request_update(actor=request.user, request=allocation, **values)
        return Response(RequestDetailOutputSerializer(_visible_request(request.user, pk),
                                                      context={"request": request}).data)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class _RequestNoteActionApi(APIView):
    """An applicant's action on their request, with an optional note for the audit trail."""

    permission_classes = [IsAuthenticated]
    service = None  # the service to call

    @extend_schema(request=NoteInput, responses=RequestOutputSerializer)
    def post(self, request, pk):
        allocation = _visible_request(request.user, pk)
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        type(self).service(actor=request.user, request=allocation, note=data.validated_data["note"])
        return Response(RequestOutputSerializer(allocation, context={"request": request}).data)


class RequestSubmitApi(_RequestNoteActionApi):
    service = staticmethod(requests.request_submit)


class RequestWithdrawApi(_RequestNoteActionApi):
    service = staticmethod(requests.request_withdraw)


class RequestTransitionsApi(APIView):
    """The audit trail, readable by everyone who may see the request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TransitionOutputSerializer(many=True))
    def get(self, request, pk):
        allocation = _visible_request(request.user, pk)
        context = {"show_identity": permissions.can_see_applicant_identity(request.user, allocation),
                   "applicant_id": allocation.applicant_id}
        return Response(TransitionOutputSerializer(allocation.transitions.all(), many=True, context=context).data)


class AttachmentCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    @extend_schema(request=InputSerializer, responses={201: dict})
    def post(self, request, pk):
        allocation = _visible_request(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = requests.attachment_add(actor=request.user, request=allocation,
                                             uploaded_file=data.validated_data["file"])
        return Response({"id": attachment.id, "name": attachment.name, "size": attachment.size}, status=201)


# --- Review and decisions -----------------------------------------------------------


class AssignmentCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        reviewer_id = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: AssignmentOutputSerializer})
    def post(self, request, pk):
        allocation = _visible_request(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviewer = get_user_model().objects.filter(pk=data.validated_data["reviewer_id"]).first()
        if reviewer is None:
            raise serializers.ValidationError({"reviewer_id": ["No such member."]})
        assignment = review.reviewer_assign(actor=request.user, request=allocation, reviewer=reviewer)
        return Response(AssignmentOutputSerializer(assignment).data, status=201)


class CsvInput(serializers.Serializer):
    content = serializers.CharField(required=False, help_text="CSV text (or upload `file`).")
    file = serializers.FileField(required=False)

    def text(self) -> str:
        if "file" in self.validated_data:
            try:
                return self.validated_data["file"].read(2 * 1024 * 1024).decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise serializers.ValidationError({"file": ["The file must be UTF-8 text."]}) from error
        if "content" in self.validated_data:
            return self.validated_data["content"]
        raise serializers.ValidationError({"content": ["Send the CSV as `content` or `file`."]})


class AssignmentCsvApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=CsvInput, responses={201: AssignmentOutputSerializer(many=True)})
    def post(self, request, slug):
        call = _managed_call(request.user, slug)
        data = CsvInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = review.reviewers_assign_csv(actor=request.user, call=call, content=data.text())
        return Response(AssignmentOutputSerializer(done, many=True).data, status=201)


class CallRequestsApi(APIView):
    """The manager's dashboard: requests, reviewers, scores, staged decisions, usage."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ManagerRequestOutputSerializer(many=True))
    def get(self, request, slug):
        call = _managed_call(request.user, slug)
        return paginated(self, request, selectors.manager_requests(call=call), ManagerRequestOutputSerializer)


class DecisionApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=["approve", "reject", "changes", "stage_approve",
                                                  "stage_reject", "unstage"])
        units = serializers.DecimalField(required=False, allow_null=True, **UNITS)
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=RequestOutputSerializer)
    def post(self, request, pk):
        allocation = _visible_request(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action, note = data.validated_data["action"], data.validated_data["note"]
        units = data.validated_data.get("units")
        if units is None:
            units = allocation.requested_units
        if action == "approve":
            decisions.request_approve(actor=request.user, request=allocation, units=units, note=note)
        elif action == "reject":
            decisions.request_reject(actor=request.user, request=allocation, note=note)
        elif action == "changes":
            requests.request_changes_ask(actor=request.user, request=allocation, note=note)
        else:
            staged = {"stage_approve": "approve", "stage_reject": "reject", "unstage": ""}[action]
            decisions.decision_stage(actor=request.user, request=allocation, decision=staged, units=units, note=note)
        return Response(RequestOutputSerializer(_visible_request(request.user, pk),
                                                context={"request": request}).data)


class StagedApplyApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=dict)
    def post(self, request, slug):
        call = _managed_call(request.user, slug)
        return Response({"applied": decisions.staged_decisions_apply(actor=request.user, call=call)})


class ReviewQueueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AssignmentOutputSerializer(many=True))
    def get(self, request):
        return paginated(self, request, selectors.reviewer_queue(user=request.user), AssignmentOutputSerializer)


class ReviewApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        scores = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=10),
                                       help_text="criterion id → score 0–10")
        recommendation = serializers.ChoiceField(choices=ReviewerAssignment.Recommendation.values[1:])
        comment = serializers.CharField(required=False, allow_blank=True, default="")

    def _assignment(self, request, pk):
        assignment = selectors.assignment_for_review(user=request.user, pk=pk)
        if assignment is None or not permissions.can_review(request.user, assignment):
            raise Http404
        return assignment

    @extend_schema(responses=RequestDetailOutputSerializer)
    def get(self, request, pk):
        """The request to review, as this reviewer may see it."""
        assignment = self._assignment(request, pk)
        return Response(RequestDetailOutputSerializer(_visible_request(request.user, assignment.request_id),
                                                      context={"request": request}).data)

    @extend_schema(request=InputSerializer, responses=AssignmentOutputSerializer)
    def post(self, request, pk):
        assignment = self._assignment(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            scores = {int(k): v for k, v in data.validated_data["scores"].items()}
        except ValueError as error:
            raise serializers.ValidationError({"scores": ["Keys are criterion ids."]}) from error
        done = review.review_submit(actor=request.user, assignment=assignment, scores=scores,
                                    recommendation=data.validated_data["recommendation"],
                                    comment=data.validated_data["comment"])
        return Response(AssignmentOutputSerializer(done).data)


class ReviewConflictApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=NoteInput, responses=AssignmentOutputSerializer)
    def post(self, request, pk):
        assignment = selectors.assignment_for_review(user=request.user, pk=pk)
        if assignment is None:
            raise Http404
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = review.conflict_declare(actor=request.user, assignment=assignment, note=data.validated_data["note"])
        return Response(AssignmentOutputSerializer(done).data)


# --- Usage and change requests -------------------------------------------------------


class UsageReportApi(APIView):
    """Operators report one period's consumption with their API token."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        request_id = serializers.IntegerField()
        period_start = serializers.DateField()
        period_end = serializers.DateField()
        units = serializers.DecimalField(**UNITS)

    @extend_schema(request=InputSerializer, responses={201: UsageOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = usage.usage_report(actor=request.user, **data.validated_data)
        return Response(UsageOutputSerializer(record).data, status=201)


class UsageImportApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=CsvInput, responses={201: UsageOutputSerializer(many=True)})
    def post(self, request):
        data = CsvInput(data=request.data)
        data.is_valid(raise_exception=True)
        records = usage.usage_import_csv(actor=request.user, content=data.text())
        return Response(UsageOutputSerializer(records, many=True).data, status=201)


class RequestUsageApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UsageOutputSerializer(many=True))
    def get(self, request, pk):
        allocation = _visible_request(request.user, pk)
        grant = getattr(allocation, "grant", None)
        if grant is None:
            return paginated(self, request, [], UsageOutputSerializer)
        return paginated(self, request, selectors.grant_usage(grant=grant).select_related("grant"),
                          UsageOutputSerializer)


class ChangeRequestCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        extra_units = serializers.DecimalField(required=False, default=Decimal("0"), **UNITS)
        new_end_date = serializers.DateField(required=False, allow_null=True, default=None)
        reason = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: dict})
    def post(self, request, pk):
        allocation = _visible_request(request.user, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = decisions.change_request_create(actor=request.user, request=allocation, **data.validated_data)
        return Response({"id": change.id, "status": change.status}, status=201)


class ChangeRequestDecideApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        approve = serializers.BooleanField()
        note = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=dict)
    def post(self, request, pk):
        change = ChangeRequest.objects.select_related("grant__request__call").filter(pk=pk).first()
        if change is None or not permissions.can_view_request(request.user, change.grant.request):
            raise Http404
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = decisions.change_request_decide(actor=request.user, change=change, **data.validated_data)
        return Response({"id": change.id, "status": change.status})
