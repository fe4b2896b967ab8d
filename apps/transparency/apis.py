"""REST API of the transparency register: the register itself and the funding records."""

from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from apps.core.api_filters import query_filters
from apps.transparency import figures, selectors, services
from apps.transparency.exports import row_as_dict
from apps.transparency.forms import ORDER_CHOICES, SORT_CHOICES
from apps.transparency.models import FundingRecord, FundingRecordChange


def _status():
    return serializers.ChoiceField(choices=list(figures.STATUSES))


def _money(**kwargs):
    return serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, **kwargs)


class RegisterRowSerializer(serializers.Serializer):
    """A figure not measured is null with its `<figure>_status` beside it, never 0."""

    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=["owner", "model", "dataset"])
    name = serializers.CharField()
    programmes = serializers.CharField()
    compute_calls = serializers.CharField()
    funders = serializers.CharField()
    recipients = serializers.CharField()
    first_funded_on = serializers.DateField()
    funding_split = serializers.BooleanField()
    funding_eur = _money()
    funding_eur_status = _status()
    compute_eur = _money()
    compute_eur_status = _status()
    money_in_eur = _money()
    money_in_eur_status = _status()
    downloads_30d = serializers.IntegerField(allow_null=True)
    downloads_30d_status = _status()
    downloads_since_funding = serializers.IntegerField(allow_null=True)
    downloads_since_funding_status = _status()
    since_funding_missing_days = serializers.IntegerField(allow_null=True)
    counted_since = serializers.DateField(allow_null=True)
    eur_per_monthly_download = _money()
    eur_per_monthly_download_status = _status()
    eur_per_download_since_funding = _money()
    eur_per_download_since_funding_status = _status()
    derivatives = serializers.IntegerField(allow_null=True)
    derivatives_status = _status()
    spaces = serializers.IntegerField(allow_null=True)
    spaces_status = _status()
    growth_percent = serializers.IntegerField(allow_null=True)
    growth_percent_status = _status()
    languages = serializers.CharField()
    as_of = serializers.DateField()
    permalink = serializers.URLField()
    demo_data = serializers.BooleanField()


class RegisterApi(GenericAPIView):
    """The public-money register: one row per funded owner or repository, as of a day."""

    permission_classes = [AllowAny]
    serializer_class = RegisterRowSerializer
    queryset = FundingRecord.objects.none()  # for the schema; rows are built by selectors.register

    class FilterSerializer(serializers.Serializer):
        as_of = serializers.DateField(required=False, help_text="Rebuild every figure as of this past day.")
        programme = serializers.CharField(required=False, max_length=200)
        funder = serializers.CharField(required=False, max_length=200)
        call = serializers.CharField(required=False, max_length=200)
        language = serializers.CharField(required=False, max_length=16)
        year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
        sort = serializers.ChoiceField(required=False, choices=[value for value, _label in SORT_CHOICES])
        order = serializers.ChoiceField(required=False, choices=[value for value, _label in ORDER_CHOICES])

        def validate_as_of(self, value):
            if value > timezone.localdate():
                raise serializers.ValidationError("Figures can only be shown for today or a past day.")
            return value

    @extend_schema(responses=RegisterRowSerializer(many=True))
    def get(self, request):
        data = query_filters(self, request)
        rows = selectors.register(
            as_of=data.get("as_of"), programme=data.get("programme", ""), funder=data.get("funder", ""),
            call=data.get("call", ""), language=data.get("language", "").lower(), year=data.get("year"),
            sort=data.get("sort", "eur_per_monthly_download"), descending=data.get("order") != "asc",
        )
        as_of = (data.get("as_of") or timezone.localdate()).isoformat()
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            RegisterRowSerializer([row_as_dict(row, as_of=as_of, request=request) for row in page], many=True).data
        )


class SourceSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FundingRecordOutputSerializer(serializers.ModelSerializer):
    sources = SourceSerializer(many=True)
    owners = serializers.SerializerMethodField()
    repositories = serializers.SerializerMethodField()
    calls = serializers.SerializerMethodField()
    grants = serializers.SerializerMethodField()

    class Meta:
        model = FundingRecord
        fields = ["id", "programme", "funder", "recipient", "amount_eur", "awarded_on", "purpose", "sources",
                  "owners", "repositories", "calls", "grants", "is_demo", "created_at", "updated_at"]

    def get_owners(self, record) -> list[str]:
        return [owner.name for owner in record.owners.all()]

    def get_repositories(self, record) -> list[str]:
        return [f"{repo.kind}:{repo.repo_id}" for repo in record.repositories.all()]

    def get_calls(self, record) -> list[str]:
        return [call.slug for call in record.calls.all()]

    def get_grants(self, record) -> list[int]:
        return [grant.pk for grant in record.grants.all()]


class FundingRecordInputSerializer(serializers.Serializer):
    programme = serializers.CharField(max_length=200)
    funder = serializers.CharField(max_length=200)
    recipient = serializers.CharField(max_length=200)
    amount_eur = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    awarded_on = serializers.DateField()
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    sources = SourceSerializer(many=True, allow_empty=False, max_length=10)
    owners = serializers.ListField(child=serializers.CharField(max_length=96), required=False, default=list,
                                   max_length=50)
    repositories = serializers.ListField(
        child=serializers.CharField(max_length=210), required=False, default=list, max_length=200,
        help_text="owner/name for a model, dataset:owner/name for a dataset.")
    calls = serializers.ListField(child=serializers.CharField(max_length=80), required=False, default=list,
                                  max_length=50)
    grants = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                   max_length=200)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="",
                                   help_text="Why the record changes; required to update a record, shown in its history.")


class FundingRecordListApi(GenericAPIView):
    """Every funding record (public); staff and auditors add them, each with at least one source."""

    serializer_class = FundingRecordOutputSerializer
    queryset = FundingRecord.objects.none()

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=FundingRecordOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.funding_record_list())
        return self.get_paginated_response(FundingRecordOutputSerializer(page, many=True).data)

    @extend_schema(request=FundingRecordInputSerializer, responses={201: FundingRecordOutputSerializer})
    def post(self, request):
        data = FundingRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        record = services.funding_record_create(actor=request.user, reason=fields.pop("reason"), data=fields)
        return Response(FundingRecordOutputSerializer(selectors.funding_record_get(record.pk)).data,
                        status=status.HTTP_201_CREATED)


class FundingRecordDetailApi(GenericAPIView):
    serializer_class = FundingRecordOutputSerializer
    queryset = FundingRecord.objects.none()

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "PATCH" else [AllowAny()]

    def _record(self, pk):
        record = selectors.funding_record_get(pk)
        if record is None:
            raise Http404
        return record

    @extend_schema(responses=FundingRecordOutputSerializer)
    def get(self, request, pk):
        return Response(FundingRecordOutputSerializer(self._record(pk)).data)

    @extend_schema(request=FundingRecordInputSerializer(partial=True), responses=FundingRecordOutputSerializer)
    def patch(self, request, pk):
        record = self._record(pk)
        data = FundingRecordInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        services.funding_record_update(actor=request.user, record_id=record.pk, reason=fields.pop("reason", ""),
                                       data=fields)
        return Response(FundingRecordOutputSerializer(selectors.funding_record_get(record.pk)).data)


class FundingChangeSerializer(serializers.Serializer):
    action = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True)
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField(allow_blank=True)))


class FundingRecordHistoryApi(GenericAPIView):
    """Every change of a record: who, when, each field's old and new value."""

    permission_classes = [AllowAny]
    serializer_class = FundingChangeSerializer
    queryset = FundingRecordChange.objects.none()

    @extend_schema(responses=FundingChangeSerializer(many=True))
    def get(self, request, pk):
        record = selectors.funding_record_get(pk)
        if record is None:
            raise Http404
        page = self.paginate_queryset(selectors.funding_record_history(record))
        return self.get_paginated_response(FundingChangeSerializer([
            {"action": change.action, "actor": str(change.actor) if change.actor else None,
             "created_at": change.created_at, "reason": change.reason, "changes": change.changes}
            for change in page
        ], many=True).data)
