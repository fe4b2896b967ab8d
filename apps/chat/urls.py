from django.urls import path

from apps.chat import views

app_name = "chat"
urlpatterns = [
    path("rooms/<int:room_id>/", views.room_page, name="room"),
    path("rooms/<int:room_id>/screen/", views.question_screen, name="screen"),
]
