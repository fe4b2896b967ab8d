from django.contrib.auth import logout
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services as account_services
from apps.core.api_filters import query_filters
from apps.core.errors import InvalidInput
from apps.core.pagination import KnownCountPagination, PageNumberPagination
from apps.core.rich_text import render_markdown
from apps.core.visitor_cache import api_for_visitors
from apps.profiles import selectors, services
from apps.profiles.choices import AVAILABILITY, AffiliationKind, LanguageLevel, Region, SkillLevel, Visibility
from apps.profiles.models import ContactRequest, Profile, Skill


class SkillOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["slug", "name", "name_es", "category"]


class ProfileSkillOutputSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug")
    name = serializers.CharField(source="skill.label")
    level = serializers.IntegerField()


class ProfileLanguageOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class ProfileOutputSerializer(serializers.ModelSerializer):
    """What anyone allowed to see a profile gets; never an e-mail address."""

    bio_html = serializers.SerializerMethodField()
    avatar_url = serializers.SerializerMethodField()
    region_label = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    skills = ProfileSkillOutputSerializer(many=True)
    languages = ProfileLanguageOutputSerializer(many=True)

    class Meta:
        model = Profile
        fields = [
            "handle", "display_name", "headline", "bio", "bio_html", "avatar_url", "region",
            "region_label", "country", "city", "affiliation_name", "affiliation_kind",
            "hf_username", "github_username", "orcid", "website", "open_to_jobs",
            "open_to_collaboration", "open_to_mentoring", "looking_for_team", "skills",
            "languages", "url", "updated_at",
        ]

    def get_bio_html(self, profile) -> str:
        return str(render_markdown(profile.bio))

    def get_avatar_url(self, profile) -> str | None:
        return profile.avatar.url if profile.avatar else None

    def get_url(self, profile) -> str:
        return reverse("profiles:detail", args=[profile.handle])


class MyProfileOutputSerializer(ProfileOutputSerializer):
    class Meta(ProfileOutputSerializer.Meta):
        fields = [*ProfileOutputSerializer.Meta.fields, "visibility", "contactable"]


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()




class ProfileListApi(APIView):
    """Search the talent pool: the profiles you may see, filtered, with facet counts."""

    permission_classes = [AllowAny]

    class FilterSerializer(serializers.Serializer):
        """The query string, validated once and read as the search (`source` names its fields)."""

        q = serializers.CharField(
            required=False, allow_blank=True, max_length=200,
            help_text="Full-text search over name, headline, bio and skills",
        )
        skill = serializers.ListField(
            child=serializers.CharField(max_length=60), required=False, max_length=20, source="skills",
            help_text="Skill slug; repeat to require several",
        )
        language = serializers.ListField(
            child=serializers.CharField(max_length=8), required=False, max_length=20, source="languages",
            help_text="ISO 639-1 code; repeat to require several",
        )
        region = serializers.ListField(
            child=serializers.ChoiceField(choices=Region.choices), required=False, source="regions"
        )
        kind = serializers.ListField(
            child=serializers.ChoiceField(choices=AffiliationKind.choices), required=False, source="affiliation_kinds"
        )
        available = serializers.ListField(
            child=serializers.ChoiceField(choices=AVAILABILITY), required=False, source="availability"
        )
        sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False)

    @extend_schema(
        operation_id="profiles_search",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=inline_serializer(
            "ProfileSearchOutput",
            {
                "count": serializers.IntegerField(),
                "approximate": serializers.BooleanField(
                    help_text="count and facet counts are estimates (a search matching a large part of the pool)"
                ),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": ProfileOutputSerializer(many=True),
                "facets": inline_serializer(
                    "ProfileFacets",
                    {name: FacetValueSerializer(many=True) for name in ("skill", "language", "region", "kind", "available")},
                ),
            },
        ),
    )
    @api_for_visitors(*selectors.TALENT_TOPICS, members_share_by=selectors.talent_audience)
    def get(self, request):
        search = selectors.TalentSearch(**query_filters(self, request))
        facets = selectors.talent_facets(viewer=request.user, search=search)
        total, approximate = facets.pop("total"), facets.pop("approximate")
        profiles = selectors.talent_search(viewer=request.user, search=search, matches=total)
        paginator = KnownCountPagination(total)
        page = paginator.paginate_queryset(profiles, request, self)
        response = paginator.get_paginated_response(ProfileOutputSerializer(page, many=True).data)
        response.data["approximate"] = approximate
        response.data["facets"] = facets
        return response


class ProfileDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ProfileOutputSerializer)
    def get(self, request, handle: str):
        profile = selectors.profile_detail(viewer=request.user, handle=handle)
        if profile is None:
            raise Http404
        return Response(ProfileOutputSerializer(profile).data)


class SkillListApi(APIView):
    """The skill taxonomy profiles choose from."""

    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(responses=SkillOutputSerializer(many=True))
    def get(self, request):
        return Response(SkillOutputSerializer(selectors.skill_taxonomy(), many=True).data)


class MyProfileApi(APIView):
    """Read or change your own profile; `skills` and `languages`, when sent, replace the lists."""

    permission_classes = [IsAuthenticated]
    # JSON only: in form data the lists of objects cannot be written, and DRF silently
    # dropped them (a PATCH with an invalid skill answered 200, changing nothing).
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        class SkillInput(serializers.Serializer):
            skill = serializers.CharField(max_length=60)
            level = serializers.ChoiceField(choices=SkillLevel.choices)

        class LanguageInput(serializers.Serializer):
            code = serializers.CharField(max_length=8)
            level = serializers.ChoiceField(choices=LanguageLevel.choices)

        handle = serializers.CharField(max_length=60)
        display_name = serializers.CharField(max_length=100)
        headline = serializers.CharField(max_length=160, allow_blank=True)
        bio = serializers.CharField(allow_blank=True, max_length=services.MAX_BIO_LENGTH)
        region = serializers.ChoiceField(choices=Region.choices, allow_blank=True)
        country = serializers.CharField(max_length=80, allow_blank=True)
        city = serializers.CharField(max_length=80, allow_blank=True)
        affiliation_name = serializers.CharField(max_length=160, allow_blank=True)
        affiliation_kind = serializers.ChoiceField(choices=AffiliationKind.choices, allow_blank=True)
        hf_username = serializers.CharField(max_length=120, allow_blank=True)
        github_username = serializers.CharField(max_length=60, allow_blank=True)
        orcid = serializers.CharField(max_length=40, allow_blank=True)
        website = serializers.CharField(max_length=300, allow_blank=True)
        open_to_jobs = serializers.BooleanField()
        open_to_collaboration = serializers.BooleanField()
        open_to_mentoring = serializers.BooleanField()
        looking_for_team = serializers.BooleanField()
        contactable = serializers.BooleanField()
        visibility = serializers.ChoiceField(choices=Visibility.choices)
        skills = SkillInput(many=True)
        languages = LanguageInput(many=True)

    @extend_schema(responses=MyProfileOutputSerializer)
    def get(self, request):
        services.profile_ensure(user=request.user)
        return Response(MyProfileOutputSerializer(selectors.profile_of(request.user)).data)

    @extend_schema(request=InputSerializer, responses=MyProfileOutputSerializer)
    def patch(self, request):
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        skills, languages = fields.pop("skills", None), fields.pop("languages", None)
        profile = services.profile_ensure(user=request.user)
        services.profile_update(
            actor=request.user, profile=profile, data=fields,
            skills=[dict(item) for item in skills] if skills is not None else None,
            languages=[dict(item) for item in languages] if languages is not None else None,
        )
        return Response(MyProfileOutputSerializer(selectors.profile_of(request.user)).data)


class MyAvatarApi(APIView):
    """Upload (multipart field `avatar`) or remove your avatar."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("AvatarUpload", {"avatar": serializers.FileField()})},
        responses=MyProfileOutputSerializer,
    )
    def put(self, request):
        upload = request.FILES.get("avatar")
        if upload is None:
            raise InvalidInput(errors={"avatar": [str(serializers.Field.default_error_messages["required"])]})
        profile = services.profile_ensure(user=request.user)
        services.profile_avatar_set(actor=request.user, profile=profile, upload=upload)
        return Response(MyProfileOutputSerializer(selectors.profile_of(request.user)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        profile = services.profile_ensure(user=request.user)
        services.profile_avatar_remove(actor=request.user, profile=profile)
        return Response(status=204)


class MyDataExportApi(APIView):
    """Everything the platform keeps about you, as JSON."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(account_services.personal_data_export(user=request.user))


class AccountDeleteApi(APIView):
    """Delete your account: profile and personal data removed, authored content anonymised."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
        confirm = serializers.BooleanField(help_text="Must be true.")

        def validate_confirm(self, value):
            if value is not True:
                raise serializers.ValidationError("Send confirm=true to delete your account.")
            return value

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account_services.account_delete(user=request.user, password=data.validated_data["password"])
        if hasattr(request, "session"):
            logout(request._request)
        return Response(status=204)


class ContactRequestOutputSerializer(serializers.ModelSerializer):
    profile = serializers.CharField(source="profile.handle")
    sender_name = serializers.SerializerMethodField()

    class Meta:
        model = ContactRequest
        fields = ["id", "profile", "sender_name", "message", "status", "reply", "created_at", "responded_at"]

    def get_sender_name(self, contact) -> str:
        profile = getattr(contact.sender, "profile", None)
        return profile.display_name if profile else contact.sender.get_full_name()


class ContactRequestCreateApi(APIView):
    """Ask a member to get in touch (they accept with a reply, or decline)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        message = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={201: ContactRequestOutputSerializer})
    def post(self, request, handle: str):
        profile = selectors.profile_detail(viewer=request.user, handle=handle)
        if profile is None:
            raise Http404
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_request_send(
            sender=request.user, profile=profile, message=data.validated_data["message"]
        )
        return Response(ContactRequestOutputSerializer(contact).data, status=201)


class ContactRequestListApi(APIView):
    """Contact requests you received (`?box=sent` for the ones you sent)."""

    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        box = serializers.ChoiceField(choices=["received", "sent"], required=False, default="received")

    @extend_schema(responses=ContactRequestOutputSerializer(many=True))
    def get(self, request):
        if query_filters(self, request)["box"] == "sent":
            requests = selectors.contact_requests_sent(user=request.user).select_related("sender__profile")
        else:
            requests = selectors.contact_requests_received(user=request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(requests, request, self)
        return paginator.get_paginated_response(ContactRequestOutputSerializer(page, many=True).data)


class ContactRequestAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        reply = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses=ContactRequestOutputSerializer)
    def post(self, request, request_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_request_accept(
            actor=request.user, request_id=request_id, reply=data.validated_data["reply"]
        )
        return Response(ContactRequestOutputSerializer(contact).data)


class ContactRequestDeclineApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ContactRequestOutputSerializer)
    def post(self, request, request_id: int):
        contact = services.contact_request_decline(actor=request.user, request_id=request_id)
        return Response(ContactRequestOutputSerializer(contact).data)
