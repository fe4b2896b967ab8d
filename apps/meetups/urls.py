from django.urls import path

from apps.meetups import views

app_name = "meetups"
event = "events/<slug:slug>/"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("calendar/", views.my_calendar, name="my-calendar"),
    path("calendar/<str:token>.ics", views.personal_feed, name="feed"),
    path("chapters/", views.chapter_list, name="chapters"),
    path("chapters/<slug:slug>/", views.chapter_detail, name="chapter"),
    path("chapters/<slug:slug>/membership/", views.chapter_membership, name="chapter-membership"),
    path("chapters/<slug:slug>/calendar.ics", views.chapter_calendar, name="chapter-calendar"),
    path("chapters/<slug:slug>/propose/", views.talk_propose, name="propose"),
    path("chapters/<slug:slug>/call-for-speakers/", views.call_for_speakers, name="call-for-speakers"),
    path("chapters/<slug:slug>/talks/<int:talk_id>/decision/", views.talk_decide, name="talk-decide"),
    path(event, views.event_detail, name="event"),
    path(event + "edit/", views.event_edit, name="edit"),
    path(event + "rsvp/", views.rsvp, name="rsvp"),
    path(event + "rsvp/cancel/", views.rsvp_cancel, name="rsvp-cancel"),
    path(event + "rsvp/accept-offer/", views.offer_accept, name="offer-accept"),
    path(event + "ticket.svg", views.ticket_qr, name="ticket-qr"),
    path(event + "calendar.ics", views.event_calendar, name="event-calendar"),
    path(event + "dashboard/", views.dashboard, name="dashboard"),
    path(event + "dashboard/transitions/<slug:action>/", views.event_transition, name="transition"),
    path(event + "dashboard/rsvps/promote/", views.rsvp_promote, name="rsvp-promote"),
    path(event + "dashboard/rsvps/remove/", views.rsvp_remove, name="rsvp-remove"),
    path(event + "dashboard/talks/", views.talk_add, name="talk-add"),
    path(event + "dashboard/invitations/", views.invitations_add, name="invitations-add"),
    path(event + "attendees.csv", views.attendees_csv, name="attendees-csv"),
    path(event + "check-in/", views.checkin, name="checkin"),
]
