from django.urls import path

from apps.chat import apis

room = "chat/rooms/<int:room_id>/"
urlpatterns = [
    path("chat/rooms/lookup/", apis.RoomLookupApi.as_view(), name="api-chat-room-lookup"),
    path(room, apis.RoomDetailApi.as_view(), name="api-chat-room"),
    path(room + "messages/", apis.MessageListApi.as_view(), name="api-chat-messages"),
    path(room + "mutes/", apis.MuteApi.as_view(), name="api-chat-mutes"),
    path(room + "moderation-log/", apis.ModerationLogApi.as_view(), name="api-chat-moderation-log"),
    path(room + "read/", apis.ReadMarkerApi.as_view(), name="api-chat-read"),
    path(room + "questions/", apis.QuestionListApi.as_view(), name="api-chat-questions"),
    path("chat/messages/<int:message_id>/", apis.MessageDetailApi.as_view(), name="api-chat-message"),
    path("chat/messages/<int:message_id>/pin/", apis.MessagePinApi.as_view(), name="api-chat-message-pin"),
    path("chat/messages/<int:message_id>/report/", apis.MessageReportApi.as_view(), name="api-chat-message-report"),
    path("chat/questions/<int:question_id>/vote/", apis.QuestionVoteApi.as_view(), name="api-chat-question-vote"),
    path("chat/questions/<int:question_id>/", apis.QuestionDetailApi.as_view(), name="api-chat-question"),
]
