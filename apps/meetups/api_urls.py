from django.urls import path

from apps.meetups import apis

event = "meetups/events/<slug:slug>/"
chapter = "meetups/chapters/<slug:slug>/"
urlpatterns = [
    path("meetups/events/", apis.EventListApi.as_view(), name="api-meetup-events"),
    path(event, apis.EventDetailApi.as_view(), name="api-meetup-event"),
    path(event + "transitions/", apis.EventTransitionApi.as_view(), name="api-meetup-event-transitions"),
    path(event + "rsvp/", apis.MyRsvpApi.as_view(), name="api-meetup-my-rsvp"),
    path(event + "rsvp/accept-offer/", apis.OfferAcceptApi.as_view(), name="api-meetup-offer-accept"),
    path(event + "rsvps/", apis.RsvpListApi.as_view(), name="api-meetup-rsvps"),
    path(event + "rsvps/<int:rsvp_id>/actions/", apis.RsvpActionApi.as_view(), name="api-meetup-rsvp-action"),
    path(event + "check-in/", apis.CheckInByCodeApi.as_view(), name="api-meetup-check-in"),
    path(event + "talks/", apis.AgendaApi.as_view(), name="api-meetup-talks"),
    path(event + "invitations/", apis.InvitationApi.as_view(), name="api-meetup-invitations"),
    path("meetups/chapters/", apis.ChapterListApi.as_view(), name="api-meetup-chapters"),
    path(chapter, apis.ChapterDetailApi.as_view(), name="api-meetup-chapter"),
    path(chapter + "membership/", apis.ChapterMembershipApi.as_view(), name="api-meetup-chapter-membership"),
    path(chapter + "proposals/", apis.ProposalApi.as_view(), name="api-meetup-proposals"),
    path(chapter + "call-for-speakers/", apis.CallForSpeakersApi.as_view(), name="api-meetup-call-for-speakers"),
    path(chapter + "proposals/<int:talk_id>/decision/", apis.ProposalDecisionApi.as_view(), name="api-meetup-proposal-decision"),
    path("meetups/calendar/", apis.CalendarFeedApi.as_view(), name="api-meetup-calendar"),
]
