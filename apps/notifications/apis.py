from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_filters import query_filters
from apps.core.pagination import PageNumberPagination
from apps.notifications import selectors, services
from apps.notifications.kinds import GROUPS, KINDS
from apps.notifications.models import DigestSchedule, Notification, NotificationPreference


class NotificationOutputSerializer(serializers.ModelSerializer):
    # The model's SlugField would publish the pattern ^[-a-zA-Z0-9_]+$, which every kind
    # (`<group>.<event>`) breaks; the kinds are listed by /api/notifications/settings/.
    kind = serializers.CharField(help_text="`<group>.<event>`, e.g. `meetups.rsvp_confirmed`.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]


class NotificationListApi(APIView):
    """The caller's notifications, newest first (`?unread=true`, `?group=hackathons`)."""

    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)
        # Blank is every group (the filter form's "all"); the schema's enum says so too.
        group = serializers.ChoiceField(choices=list(GROUPS), required=False, allow_blank=True)

    @extend_schema(responses=NotificationOutputSerializer(many=True))
    def get(self, request):
        filters = query_filters(self, request)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.notification_list(
                user=request.user,
                unread_only=filters["unread"],
                group=filters.get("group", ""),
            ),
            request,
            self,
        )
        return paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)


class KindOutputSerializer(serializers.Serializer):
    kind = serializers.CharField(source="key")
    group = serializers.CharField()
    label = serializers.CharField()
    default = serializers.ChoiceField(choices=NotificationPreference.Mode.choices)


class EmailSettingsInputSerializer(serializers.Serializer):
    email_enabled = serializers.BooleanField(required=False)
    # Checked by the service, so an unknown kind and a wrong mode both answer under `modes.<kind>`.
    modes = serializers.DictField(child=serializers.CharField(), required=False)
    digest = serializers.ChoiceField(choices=DigestSchedule.Frequency.choices, required=False)
    time_zone = serializers.CharField(required=False)


class EmailSettingsOutputSerializer(serializers.Serializer):
    email_enabled = serializers.BooleanField()
    modes = serializers.DictField(child=serializers.ChoiceField(choices=NotificationPreference.Mode.choices))
    kinds = KindOutputSerializer(many=True)
    digest = serializers.ChoiceField(choices=DigestSchedule.Frequency.choices)
    time_zone = serializers.CharField()


def _email_settings_output(settings: dict) -> dict:
    return EmailSettingsOutputSerializer({**settings, "kinds": list(KINDS.values())}).data


class EmailSettingsApi(APIView):
    """The caller's own notification settings: `modes` maps each kind to `email`, `digest`
    or `off` (only on the site); `kinds` lists the kinds with their labels and defaults.

    A PUT changes only what it names; unknown kinds and modes are a 400 under `modes.<kind>`.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EmailSettingsOutputSerializer)
    def get(self, request):
        return Response(_email_settings_output(selectors.email_settings(user=request.user)))

    @extend_schema(request=EmailSettingsInputSerializer, responses=EmailSettingsOutputSerializer)
    def put(self, request):
        serializer = EmailSettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return Response(
            _email_settings_output(
                services.email_settings_update(
                    user=request.user,
                    email_enabled=data.get("email_enabled"),
                    modes=data.get("modes"),
                    digest=data.get("digest"),
                    time_zone=data.get("time_zone"),
                )
            )
        )


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=NotificationOutputSerializer)
    def post(self, request, notification_id: int):
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        return Response(NotificationOutputSerializer(notification).data)


class NotificationReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        marked_read = serializers.IntegerField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request):
        return Response({"marked_read": services.notifications_mark_all_read(user=request.user)})


class AnnouncementInputSerializer(serializers.Serializer):
    """An audience key (`hackathon`, `meetup`, `chapter`, `everyone`), its parameters
    (`{"meetup": "<slug>"}`), and the subset to reach when the audience has subsets."""

    audience = serializers.SlugField()
    params = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    subset = serializers.CharField(required=False, allow_blank=True, default="")


class AnnouncementSendInputSerializer(AnnouncementInputSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()


class AnnouncementReachSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    subsets = serializers.DictField(child=serializers.CharField())


class AnnouncementSentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    count = serializers.IntegerField()


def _announcement_reach(request, serializer_class) -> tuple[dict, dict, dict]:
    """Validated input, the audience parameters and what they reach (the sender's permission checked)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    params = selectors.announcement_params(
        audience=data["audience"], query=data["params"], subset=data["subset"]
    )
    reach = selectors.announcement_audience(user=request.user, audience=data["audience"], params=params)
    return data, params, reach


class AnnouncementPreviewApi(APIView):
    """Who an announcement would reach and how many people, before sending it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AnnouncementInputSerializer, responses=AnnouncementReachSerializer)
    def post(self, request):
        _data, _params, reach = _announcement_reach(request, AnnouncementInputSerializer)
        return Response(AnnouncementReachSerializer(reach).data)


class AnnouncementSendApi(APIView):
    """Send an announcement: recorded at once, fanned out to its audience by a worker (202)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AnnouncementSendInputSerializer, responses={202: AnnouncementSentSerializer})
    def post(self, request):
        data, params, reach = _announcement_reach(request, AnnouncementSendInputSerializer)
        event = services.announcement_send(
            sender=request.user, audience=data["audience"], params=params,
            title=data["title"], body=data["body"],
        )
        return Response(
            AnnouncementSentSerializer({"id": event.pk, "label": reach["label"], "count": reach["count"]}).data,
            status=202,
        )
