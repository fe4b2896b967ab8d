"""WebSocket routes of every app, gathered in one place."""

from django.urls import path

from apps.core.consumers import HealthConsumer

websocket_urlpatterns = [
    path("ws/healthz/", HealthConsumer.as_asgi()),
]
