from django.http import Http404


def hackathon_list(request, **kwargs):
    raise Http404


def hackathon_create(request, **kwargs):
    raise Http404


def hackathon_detail(request, **kwargs):
    raise Http404


def hackathon_edit(request, **kwargs):
    raise Http404


def hackathon_calendar(request, **kwargs):
    raise Http404


def registration_page(request, **kwargs):
    raise Http404


def registration_cancel(request, **kwargs):
    raise Http404


def team_page(request, **kwargs):
    raise Http404


def team_action(request, **kwargs):
    raise Http404


def submission_page(request, **kwargs):
    raise Http404


def judging_list(request, **kwargs):
    raise Http404


def judging_score(request, **kwargs):
    raise Http404


def results_page(request, **kwargs):
    raise Http404


def dashboard(request, **kwargs):
    raise Http404


def dashboard_action(request, **kwargs):
    raise Http404
