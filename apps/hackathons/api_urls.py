from django.urls import path

from apps.hackathons import apis

base = "hackathons/<slug:slug>/"
urlpatterns = [
    path("hackathons/", apis.HackathonListApi.as_view(), name="api-hackathon-list"),
    path(base, apis.HackathonDetailApi.as_view(), name="api-hackathon-detail"),
    path(base + "transitions/", apis.HackathonTransitionApi.as_view(), name="api-hackathon-transitions"),
    path(base + "registration/", apis.MyRegistrationApi.as_view(), name="api-hackathon-my-registration"),
    path(base + "registrations/", apis.RegistrationListApi.as_view(), name="api-hackathon-registrations"),
    path(base + "registrations/<int:registration_id>/decision/", apis.RegistrationDecisionApi.as_view(), name="api-hackathon-registration-decision"),
    path(base + "registrations/<int:registration_id>/removal/", apis.RegistrationRemovalApi.as_view(), name="api-hackathon-registration-removal"),
    path(base + "registrations/<int:registration_id>/check-in/", apis.RegistrationCheckInApi.as_view(), name="api-hackathon-registration-check-in"),
    path(base + "teams/", apis.TeamListApi.as_view(), name="api-hackathon-teams"),
    path(base + "teams/mine/", apis.MyTeamApi.as_view(), name="api-hackathon-my-team"),
    path(base + "teams/join/", apis.TeamJoinApi.as_view(), name="api-hackathon-team-join"),
    path(base + "teams/<int:team_id>/invitations/", apis.TeamInviteApi.as_view(), name="api-hackathon-team-invite"),
    path(base + "teams/<int:team_id>/invitations/<int:invitation_id>/", apis.TeamInvitationWithdrawApi.as_view(), name="api-hackathon-team-invitation"),
    path(base + "teams/<int:team_id>/leave/", apis.TeamLeaveApi.as_view(), name="api-hackathon-team-leave"),
    path("hackathon-invitations/<int:invitation_id>/", apis.InvitationAnswerApi.as_view(), name="api-hackathon-invitation-answer"),
    path(base + "looking-for-team/", apis.LookingForTeamApi.as_view(), name="api-hackathon-looking-for-team"),
    path(base + "submissions/", apis.SubmissionListApi.as_view(), name="api-hackathon-submissions"),
    path(base + "assignments/", apis.AssignmentListApi.as_view(), name="api-hackathon-assignments"),
    path(base + "submissions/<int:submission_id>/scores/", apis.ScorecardApi.as_view(), name="api-hackathon-scores"),
    path(base + "leaderboard/", apis.LeaderboardApi.as_view(), name="api-hackathon-leaderboard"),
    path(base + "criteria/", apis.CriterionApi.as_view(), name="api-hackathon-criteria"),
    path(base + "criteria/<int:criterion_id>/", apis.CriterionDetailApi.as_view(), name="api-hackathon-criterion"),
    path(base + "judges/", apis.JudgeApi.as_view(), name="api-hackathon-judges"),
    path(base + "judges/<int:judge_id>/", apis.JudgeDetailApi.as_view(), name="api-hackathon-judge"),
    path(base + "organisers/", apis.OrganiserApi.as_view(), name="api-hackathon-organisers"),
    path(base + "organisers/<int:user_id>/", apis.OrganiserDetailApi.as_view(), name="api-hackathon-organiser"),
    path(base + "tracks/", apis.TrackApi.as_view(), name="api-hackathon-tracks"),
    path(base + "tracks/<int:track_id>/", apis.TrackDetailApi.as_view(), name="api-hackathon-track"),
]
