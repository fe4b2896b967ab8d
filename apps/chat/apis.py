"""REST API of chat, so bots and other clients can take part: rooms, history, messages,
moderation and questions. Same services as the socket; one view per operation."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import pagination, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chat import selectors, services
from apps.chat.models import ModerationAction, Room
from apps.chat.payloads import message_payload, question_payload
from apps.chat.rooms import registered_kinds
from apps.core.api_filters import query_filters
from apps.core.pagination import PageNumberPagination, StrictPageSize
from apps.core.errors import NotAllowed, NotFound


def _access(request, room_id: int) -> selectors.RoomAccess:
    room = Room.objects.filter(pk=room_id).first()
    access = selectors.room_access(request.user, room) if room else None
    if access is None or not access.can_read:
        raise NotFound()
    return access


def _moderator(request, room_id: int) -> selectors.RoomAccess:
    access = _access(request, room_id)
    if not access.can_moderate:
        raise NotAllowed()
    return access


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    room = serializers.IntegerField()
    sequence = serializers.IntegerField(help_text="Position of the message in the room.")
    revision = serializers.IntegerField(help_text="Stream number of the message's latest change.")
    client_id = serializers.CharField()
    author = AuthorSerializer()
    body = serializers.CharField()
    html = serializers.CharField(help_text="Sanitised HTML rendered from the Markdown body.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    pinned = serializers.BooleanField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    room = serializers.IntegerField()
    body = serializers.CharField()
    anonymous = serializers.BooleanField()
    author = AuthorSerializer(allow_null=True)
    votes = serializers.IntegerField()
    voted = serializers.BooleanField()
    answered = serializers.BooleanField()
    hidden = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    revision = serializers.IntegerField(help_text="Moves on with every change: keep the highest seen.")


class RoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    locked = serializers.BooleanField()
    public = serializers.BooleanField()
    qa = serializers.BooleanField()
    closed = serializers.BooleanField()
    last_sequence = serializers.IntegerField()
    unread = serializers.IntegerField()
    can_post = serializers.BooleanField()
    can_moderate = serializers.BooleanField()
    pinned = MessageSerializer(many=True)


def room_data(request, access: selectors.RoomAccess) -> dict:
    room = access.room
    return {
        **services.room_state_payload(room),
        "kind": room.kind,
        "object_id": room.object_id,
        "title": access.title,
        "url": access.url,
        "unread": selectors.unread_counts(request.user, [room]).get(room.pk, 0),
        "can_post": access.can_post,
        "can_moderate": access.can_moderate,
        "pinned": [message_payload(m) for m in selectors.pinned_messages(room)],
    }


class RoomLookupApi(APIView):
    """The room of an object (e.g. kind=hackathon, object_id=<hackathon id>), created on first use."""

    extra_error_statuses = ("404",)  # an object without a room you may read

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=[])
        object_id = serializers.IntegerField(min_value=1)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["kind"].choices = registered_kinds()

    @extend_schema(responses=RoomSerializer)
    def get(self, request):
        params = query_filters(self, request)
        room = Room.objects.filter(**params).first()
        probe = room or Room(**params)
        access = selectors.room_access(request.user, probe)
        if not access.can_read:
            raise NotFound()
        if room is None:
            room = services.room_ensure(**params)
            access = selectors.room_access(request.user, room)
        return Response(RoomSerializer(room_data(request, access)).data)


class RoomDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        locked = serializers.BooleanField(required=False)
        public = serializers.BooleanField(required=False)
        qa = serializers.BooleanField(required=False)
        closed = serializers.BooleanField(required=False)

    @extend_schema(responses=RoomSerializer)
    def get(self, request, room_id: int):
        return Response(RoomSerializer(room_data(request, _access(request, room_id))).data)

    @extend_schema(request=InputSerializer, responses=RoomSerializer)
    def patch(self, request, room_id: int):
        """Moderators lock the room, open it to every reader, switch Q&A or close it."""
        access = _moderator(request, room_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.room_update(user=request.user, room=access.room, **data.validated_data)
        return Response(RoomSerializer(room_data(request, _access(request, room_id))).data)


class HistoryPagination(StrictPageSize, pagination.CursorPagination):
    ordering = "-sequence"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class MessageListApi(APIView):
    """History newest first, cursor-paginated; `after` returns the changes after a stream number."""

    class FilterSerializer(serializers.Serializer):
        after = serializers.IntegerField(
            required=False, help_text="Changes after this stream number, oldest first (up to 500)."
        )

    class InputSerializer(serializers.Serializer):
        client_id = serializers.CharField(max_length=64)
        body = serializers.CharField(trim_whitespace=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int),
        ],
        responses=MessageSerializer(many=True),
    )
    def get(self, request, room_id: int):
        access = _access(request, room_id)
        after = query_filters(self, request).get("after")
        if after is not None:
            messages = selectors.messages_after(access.room, after)
            return Response(MessageSerializer([message_payload(m) for m in messages], many=True).data)
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(selectors.message_history(access.room), request, self)
        return paginator.get_paginated_response(MessageSerializer([message_payload(m) for m in page], many=True).data)

    @extend_schema(request=InputSerializer, responses={201: MessageSerializer, 200: MessageSerializer})
    def post(self, request, room_id: int):
        """Send; a repeated client_id returns the stored message (200) instead of a new one (201)."""
        access = _access(request, room_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = services.message_send(user=request.user, room=access.room, **data.validated_data)
        return Response(MessageSerializer(message_payload(message)).data, status=201 if created else 200)


class MessageDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=MessageSerializer)
    def patch(self, request, message_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_edit(user=request.user, message_id=message_id, body=data.validated_data["body"])
        return Response(MessageSerializer(message_payload(message)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, message_id: int):
        services.message_delete(user=request.user, message_id=message_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessagePinApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        pinned = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=MessageSerializer)
    def post(self, request, message_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_pin(user=request.user, message_id=message_id, pinned=data.validated_data["pinned"])
        return Response(MessageSerializer(message_payload(message)).data)


class MessageReportApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: None})
    def post(self, request, message_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.message_report(user=request.user, message_id=message_id, **data.validated_data)
        return Response(status=status.HTTP_201_CREATED)


class MuteApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        member = serializers.IntegerField()
        minutes = serializers.IntegerField(min_value=0, max_value=60 * 24 * 30, help_text="0 lifts the mute.")

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request, room_id: int):
        access = _moderator(request, room_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.member_mute(
            user=request.user, room=access.room, member_id=data.validated_data["member"], minutes=data.validated_data["minutes"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModerationLogApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.ModelSerializer):
        actor = serializers.CharField(allow_null=True)
        target_user = serializers.CharField(allow_null=True)
        message_id = serializers.IntegerField(allow_null=True)
        kind = serializers.ChoiceField(choices=ModerationAction.Kind.choices)

        class Meta:
            model = ModerationAction
            fields = ["id", "kind", "actor", "target_user", "message_id", "detail", "created_at"]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, room_id: int):
        access = _moderator(request, room_id)
        paginator = PageNumberPagination()
        paginator.page_size = 50
        page = paginator.paginate_queryset(selectors.moderation_log(access.room), request, self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class ReadMarkerApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        sequence = serializers.IntegerField(min_value=0)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request, room_id: int):
        access = _access(request, room_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.read_mark(user=request.user, room=access.room, sequence=data.validated_data["sequence"])
        return Response(status=status.HTTP_204_NO_CONTENT)


def questions_data(user, access: selectors.RoomAccess) -> list[dict]:
    voted = selectors.voted_question_ids(user, access.room)
    return [
        question_payload(q, show_author=access.can_moderate, voted=q.pk in voted)
        for q in selectors.questions_for(access.room, include_hidden=access.can_moderate)
    ]


class QuestionListApi(APIView):
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=500)
        anonymous = serializers.BooleanField(default=False)

    @extend_schema(responses=QuestionSerializer(many=True))
    def get(self, request, room_id: int):
        """Questions by votes; anonymous authors are shown to moderators only."""
        return Response(QuestionSerializer(questions_data(request.user, _access(request, room_id)), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: QuestionSerializer})
    def post(self, request, room_id: int):
        access = _access(request, room_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_ask(user=request.user, room=access.room, **data.validated_data)
        payload = question_payload(question, show_author=True)
        return Response(QuestionSerializer(payload).data, status=201)


class QuestionVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=QuestionSerializer)
    def post(self, request, question_id: int):
        question = services.question_vote(user=request.user, question_id=question_id)
        access = selectors.room_access(request.user, question.room)
        return Response(QuestionSerializer(question_payload(question, show_author=access.can_moderate, voted=True)).data)


class QuestionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        answered = serializers.BooleanField(required=False)
        hidden = serializers.BooleanField(required=False)

    @extend_schema(request=InputSerializer, responses=QuestionSerializer)
    def patch(self, request, question_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_mark(user=request.user, question_id=question_id, **data.validated_data)
        return Response(QuestionSerializer(question_payload(question, show_author=True)).data)
