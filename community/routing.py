"""WebSocket routes of every app, gathered in one place."""

from django.urls import path

from apps.chat.consumers import ChatConsumer
from apps.core.consumers import HealthConsumer
from apps.notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/healthz/", HealthConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/chat/<int:room_id>/", ChatConsumer.as_asgi()),
]
