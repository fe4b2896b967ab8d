"""REST API of meetups: one view per operation, each with its own small serializers."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_filters import query_filters
from apps.core.errors import NotAllowed, NotFound
from apps.core.pagination import paginated
from apps.hackathons.apis import PersonSerializer
from apps.meetups import permissions, selectors, services
from apps.meetups.models import LANGUAGES, Chapter, Event, Rsvp, Talk
from apps.profiles.choices import Region



def _event(request, slug) -> Event:
    return selectors.event_get(user=request.user, slug=slug)


def _managed_event(request, slug) -> Event:
    event = _event(request, slug)
    if not permissions.can_manage_event(request.user, event):
        raise NotAllowed(_("Only the organisers of this event can do that."))
    return event


class EventSummarySerializer(serializers.ModelSerializer):
    chapter = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    going_count = serializers.IntegerField(read_only=True)
    is_online = serializers.BooleanField(read_only=True)
    is_in_person = serializers.BooleanField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug", "title", "chapter", "state", "timezone", "starts_at", "ends_at", "venue", "languages", "tags",
            "capacity", "going_count", "is_online", "is_in_person",
        ]


class EventDetailSerializer(serializers.ModelSerializer):
    chapter = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    address = serializers.SerializerMethodField()
    online_url = serializers.SerializerMethodField()
    going_count = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug", "title", "chapter", "description", "state", "timezone", "starts_at", "ends_at", "venue",
            "address", "online_url", "address_visibility", "languages", "tags", "join_policy", "capacity",
            "rsvp_deadline", "max_guests", "waitlist_mode", "offer_hours", "cancellation_reason", "going_count",
            "questions",
        ]

    def _shown(self, event) -> bool:
        return permissions.can_see_location(self.context["request"].user, event)

    def get_address(self, event) -> str:
        return event.address if self._shown(event) else ""

    def get_online_url(self, event) -> str:
        return event.online_url if self._shown(event) else ""

    def get_going_count(self, event) -> int:
        return selectors.going_count(event)

    def get_questions(self, event) -> list[dict]:
        return [{"id": q.id, "text": q.text, "required": q.required} for q in event.questions.all()]


class QuestionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    required = serializers.BooleanField(default=False)


class EventInputSerializer(serializers.Serializer):
    chapter = serializers.SlugField(required=False, allow_null=True)
    title = serializers.CharField(max_length=160)
    description = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(required=False, max_length=64)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    venue = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    online_url = serializers.URLField(required=False, allow_blank=True)
    address_visibility = serializers.ChoiceField(choices=Event.AddressVisibility.choices, required=False)
    languages = serializers.CharField(required=False, max_length=30)
    tags = serializers.CharField(required=False, allow_blank=True, max_length=200)
    join_policy = serializers.ChoiceField(choices=Event.JoinPolicy.choices, required=False)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100_000)
    rsvp_deadline = serializers.DateTimeField(required=False, allow_null=True)
    max_guests = serializers.IntegerField(required=False, min_value=0, max_value=20)
    waitlist_mode = serializers.ChoiceField(choices=Event.WaitlistMode.choices, required=False)
    offer_hours = serializers.IntegerField(required=False, min_value=1, max_value=24 * 14)
    questions = QuestionSerializer(many=True, required=False)


class EventListApi(APIView):
    """Events the caller may see (upcoming by default); organisers create drafts."""

    @extend_schema(responses=EventSummarySerializer(many=True))
    def get(self, request):
        params = query_filters(self, request)
        params["period"] = "" if params.get("period") == "all" else params.get("period", "upcoming")
        return paginated(self, request, selectors.event_list(user=request.user, **params), EventSummarySerializer)

    class FilterSerializer(serializers.Serializer):
        period = serializers.ChoiceField(choices=["upcoming", "past", "all"], required=False)
        region = serializers.ChoiceField(choices=Region.choices, required=False)
        chapter = serializers.SlugField(required=False)
        mode = serializers.ChoiceField(choices=["online", "in_person"], required=False)
        language = serializers.ChoiceField(choices=LANGUAGES, required=False)
        date_from = serializers.DateField(required=False)
        date_to = serializers.DateField(required=False)

    @extend_schema(request=EventInputSerializer, responses={201: EventDetailSerializer})
    def post(self, request):
        if not request.user.is_authenticated:
            raise NotAllowed()
        data = EventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        slug = fields.pop("chapter", None)
        chapter = get_object_or_404(Chapter, slug=slug) if slug else None
        event = services.event_create(actor=request.user, chapter=chapter, **fields)
        return Response(EventDetailSerializer(event, context={"request": request}).data, status=status.HTTP_201_CREATED)


class EventDetailApi(APIView):
    @extend_schema(responses=EventDetailSerializer)
    def get(self, request, slug):
        return Response(EventDetailSerializer(_event(request, slug), context={"request": request}).data)

    @extend_schema(request=EventInputSerializer(partial=True), responses=EventDetailSerializer)
    def patch(self, request, slug):
        event = _managed_event(request, slug)
        data = EventInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("chapter", None)
        services.event_update(actor=request.user, event=event, **fields)
        return Response(EventDetailSerializer(_event(request, slug), context={"request": request}).data)


class EventTransitionApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=list(services.TRANSITIONS))
        reason = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=EventDetailSerializer)
    def post(self, request, slug):
        event = _managed_event(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_transition(actor=request.user, event=event, **data.validated_data)
        return Response(EventDetailSerializer(_event(request, slug), context={"request": request}).data)


class RsvpSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = Rsvp
        fields = ["id", "user", "status", "guests", "answers", "share_data", "queued_at", "offer_expires_at", "checked_in_at", "removal_reason", "created_at"]


class MyRsvpSerializer(RsvpSerializer):
    class Meta(RsvpSerializer.Meta):
        fields = RsvpSerializer.Meta.fields + ["checkin_code"]


class MyRsvpApi(APIView):
    """The caller's RSVP: read, say going (POST), say not going or decline an offer (DELETE)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        guests = serializers.IntegerField(required=False, min_value=0, max_value=20, default=0)
        answers = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=1000), required=False)
        share_data = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=MyRsvpSerializer)
    def get(self, request, slug):
        rsvp = permissions.rsvp_of(request.user, _event(request, slug))
        if rsvp is None:
            raise NotFound(_("You have not RSVPed to this event."))
        return Response(MyRsvpSerializer(rsvp).data)

    @extend_schema(request=InputSerializer, responses={201: MyRsvpSerializer})
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rsvp = services.rsvp_going(user=request.user, event=_event(request, slug), **data.validated_data)
        return Response(MyRsvpSerializer(rsvp).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MyRsvpSerializer)
    def delete(self, request, slug):
        return Response(MyRsvpSerializer(services.rsvp_cancel(user=request.user, event=_event(request, slug))).data)


class OfferAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=MyRsvpSerializer)
    def post(self, request, slug):
        return Response(MyRsvpSerializer(services.rsvp_offer_accept(user=request.user, event=_event(request, slug))).data)


class RsvpListApi(APIView):
    """Everyone who RSVPed, for the organisers (`?status=`), waitlist in queue order."""

    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Rsvp.Status.choices, required=False)

    @extend_schema(responses=RsvpSerializer(many=True))
    def get(self, request, slug):
        event = _managed_event(request, slug)
        wanted = query_filters(self, request).get("status")
        return paginated(self, request, selectors.event_rsvps(event, statuses=[wanted] if wanted else None), RsvpSerializer)


class RsvpActionApi(APIView):
    """Organisers: promote someone waiting, remove someone (with a reason), check in or undo."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=["promote", "remove", "check_in", "undo_check_in"])
        reason = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=RsvpSerializer)
    def post(self, request, slug, rsvp_id):
        event = _managed_event(request, slug)
        rsvp = get_object_or_404(Rsvp.objects.select_related("user", "event"), pk=rsvp_id, event=event)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        if action == "promote":
            rsvp = services.rsvp_promote(actor=request.user, rsvp=rsvp)
        elif action == "remove":
            rsvp = services.rsvp_remove(actor=request.user, rsvp=rsvp, reason=data.validated_data.get("reason", ""))
        else:
            rsvp = services.rsvp_check_in(actor=request.user, event=event, rsvp=rsvp, undo=action == "undo_check_in")
        return Response(RsvpSerializer(rsvp).data)


class CheckInByCodeApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=12)

    @extend_schema(request=InputSerializer, responses=RsvpSerializer)
    def post(self, request, slug):
        event = _managed_event(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(RsvpSerializer(services.rsvp_check_in(actor=request.user, event=event, code=data.validated_data["code"])).data)


class TalkRepositorySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["model", "dataset"], default="model")
    repo_id = serializers.CharField(max_length=193)


class TalkSerializer(serializers.ModelSerializer):
    speakers = PersonSerializer(many=True, read_only=True)
    repositories = TalkRepositorySerializer(many=True, read_only=True)
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Talk
        fields = ["id", "title", "abstract", "language", "starts_at", "duration_minutes", "status", "decision_note", "event", "speakers", "repositories"]


class AgendaApi(APIView):
    """The talks of an event; organisers add talks with speakers and Hub repositories."""

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        abstract = serializers.CharField(required=False, allow_blank=True)
        language = serializers.ChoiceField(choices=LANGUAGES, default="es")
        starts_at = serializers.DateTimeField(required=False, allow_null=True)
        duration_minutes = serializers.IntegerField(min_value=5, max_value=600, default=20)
        speakers = serializers.ListField(child=serializers.CharField(max_length=150), min_length=1)
        repositories = TalkRepositorySerializer(many=True, required=False)

    @extend_schema(responses=TalkSerializer(many=True))
    def get(self, request, slug):
        return paginated(self, request, selectors.agenda(_event(request, slug)).prefetch_related("speakers"), TalkSerializer)

    @extend_schema(request=InputSerializer, responses={201: TalkSerializer})
    def post(self, request, slug):
        event = _managed_event(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        speakers = services.speakers_by_username(fields.pop("speakers"))
        talk = services.talk_add(actor=request.user, event=event, speakers=speakers, **fields)
        return Response(TalkSerializer(talk).data, status=status.HTTP_201_CREATED)


class ChapterSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Chapter
        fields = ["slug", "name", "region", "description", "member_count"]


class ChapterListApi(APIView):
    @extend_schema(responses=ChapterSerializer(many=True))
    def get(self, request):
        return paginated(self, request, selectors.chapter_list(), ChapterSerializer)


class ChapterDetailApi(APIView):
    @extend_schema(responses=ChapterSerializer)
    def get(self, request, slug):
        return Response(ChapterSerializer(selectors.chapter_get(slug=slug)).data)


class ChapterMembershipApi(APIView):
    """Join (POST) or leave (DELETE) a chapter."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, slug):
        services.chapter_join(user=request.user, chapter=selectors.chapter_get(slug=slug))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug):
        services.chapter_leave(user=request.user, chapter=selectors.chapter_get(slug=slug))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProposalApi(APIView):
    """A chapter's talk proposals: members propose (POST); its organisers list them (GET)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        abstract = serializers.CharField()
        language = serializers.ChoiceField(choices=LANGUAGES, default="es")
        duration_minutes = serializers.IntegerField(min_value=5, max_value=180, default=20)
        repositories = TalkRepositorySerializer(many=True, required=False)

    @extend_schema(responses=TalkSerializer(many=True))
    def get(self, request, slug):
        chapter = selectors.chapter_get(slug=slug)
        if not permissions.can_manage_chapter(request.user, chapter):
            raise NotAllowed(_("Only the chapter's organisers can see proposals."))
        return paginated(self, request, selectors.proposals(chapter).prefetch_related("speakers"), TalkSerializer)

    @extend_schema(request=InputSerializer, responses={201: TalkSerializer})
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        talk = services.talk_propose(user=request.user, chapter=selectors.chapter_get(slug=slug), **data.validated_data)
        return Response(TalkSerializer(talk).data, status=status.HTTP_201_CREATED)


class ProposalDecisionApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        accept = serializers.BooleanField()
        note = serializers.CharField(required=False, allow_blank=True)
        event = serializers.SlugField(required=False)
        starts_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses=TalkSerializer)
    def post(self, request, slug, talk_id):
        chapter = selectors.chapter_get(slug=slug)
        talk = get_object_or_404(Talk, pk=talk_id, chapter=chapter)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        event_slug = fields.pop("event", None)
        event = get_object_or_404(Event, slug=event_slug) if event_slug else None
        return Response(TalkSerializer(services.talk_decide(actor=request.user, talk=talk, event=event, **fields)).data)


class CalendarFeedApi(APIView):
    """The caller's secret calendar feed URL; POST replaces it (the old one stops working)."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        url = serializers.URLField()

    def _answer(self, request, feed):
        return Response({"url": request.build_absolute_uri(reverse("meetups:feed", args=[feed.token]))})

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return self._answer(request, services.feed_for(request.user))

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request):
        return self._answer(request, services.feed_reset(user=request.user))


class CallForSpeakersApi(APIView):
    """A chapter's organisers open (POST) or close (DELETE) its call for speakers."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(required=False, allow_blank=True)
        closes_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request, slug):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.call_for_speakers_open(actor=request.user, chapter=selectors.chapter_get(slug=slug), **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, slug):
        services.call_for_speakers_close(actor=request.user, chapter=selectors.chapter_get(slug=slug))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationApi(APIView):
    """Organisers invite e-mail addresses to an invitation-only event."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        emails = serializers.ListField(child=serializers.CharField(max_length=254), max_length=500)

    class OutputSerializer(serializers.Serializer):
        added = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, slug):
        event = _managed_event(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        added = services.invitations_add(actor=request.user, event=event, emails=data.validated_data["emails"])
        return Response({"added": added}, status=status.HTTP_201_CREATED)
