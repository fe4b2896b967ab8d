"""Pages of the compute app: thin views over selectors and services."""

import csv
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.compute import charts, permissions, selectors
from apps.compute.forms import (
    AssignForm,
    AttachmentForm,
    CallForm,
    ChangeRequestForm,
    CsvUploadForm,
    DecisionForm,
    RequestForm,
    ReviewerProfileForm,
    ReviewForm,
    UsageReportForm,
)
from apps.compute.models import (
    ChangeRequest,
    ClusterUsername,
    Grant,
    Resource,
    ReviewerProfile,
    UsageRecord,
)
from apps.compute.services import decisions, requests, review, scheduler, usage
from apps.compute.slurm import SchedulerError
from apps.core.errors import ApplicationError
from apps.core.forms import add_service_errors
from apps.core.fragments import SharedFragment, once
from apps.core.visitor_cache import page_for_visitors

PAGE_SIZE = 20


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _call_or_404(slug):
    call = selectors.call_detail(slug=slug)
    if call is None:
        raise Http404
    return call


def _request_or_404(user, pk):
    allocation = selectors.request_detail(user=user, pk=pk)
    if allocation is None:
        raise Http404
    return allocation


def call_list(request):
    return render(request, "compute/call_list.html", {
        "page": _page(request, selectors.call_list()),
        "can_open_call": permissions.can_open_call(request.user),
        "is_operator": permissions.can_import_usage(request.user),
    })


def call_detail(request, slug):
    call = _call_or_404(slug)
    return render(request, "compute/call_detail.html", {
        "call": call, "is_open": requests.call_is_open(call),
        "is_manager": permissions.is_call_manager(request.user, call),
        "can_edit": permissions.can_edit_call(request.user, call),
    })


def _save_call(request, form, call=None):
    """Create or update from a valid form; service errors go next to their fields."""
    data = dict(form.cleaned_data)
    try:
        data["managers"] = requests.members_by_identifier(data["managers"], field="managers")
        data["reviewers"] = requests.members_by_identifier(data["reviewers"], field="reviewers")
        if call is None:
            return requests.call_create(actor=request.user, **data)
        return requests.call_update(actor=request.user, call=call, **data)
    except ApplicationError as error:
        add_service_errors(form, error)
        return None


@login_required
def call_create(request):
    if not permissions.can_open_call(request.user):
        raise PermissionDenied
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = _save_call(request, form)
        if call is not None:
            messages.success(request, _("The call was created."))
            return redirect("compute:call-detail", call.slug)
    return render(request, "compute/call_form.html", {"form": form})


@login_required
def call_edit(request, slug):
    call = _call_or_404(slug)
    if not permissions.can_edit_call(request.user, call):
        raise PermissionDenied
    form = CallForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        if _save_call(request, form, call) is not None:
            messages.success(request, _("The call was saved."))
            return redirect("compute:call-detail", call.slug)
    return render(request, "compute/call_form.html", {"form": form, "call": call})


@login_required
def request_create(request, slug):
    call = _call_or_404(slug)
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file", None)
        try:
            if "submit" in request.POST:
                allocation = requests.request_create_and_submit(
                    applicant=request.user, call=call, uploaded_file=upload, **data)
                messages.success(request, _("Your request was submitted."))
            else:
                allocation = requests.request_create(applicant=request.user, call=call, uploaded_file=upload, **data)
                messages.success(request, _("Draft saved. You can keep editing it before submitting."))
            return redirect("compute:request-detail", allocation.pk)
        except ApplicationError as error:
            add_service_errors(form, error)
    return render(request, "compute/request_form.html", {"form": form, "call": call})


@login_required
def request_edit(request, pk):
    allocation = _request_or_404(request.user, pk)
    if not permissions.can_edit_request(request.user, allocation):
        messages.error(request, _("This request can no longer be edited."))
        return redirect("compute:request-detail", pk)
    form = RequestForm(request.POST or None, request.FILES or None, instance=allocation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file", None)
        try:
            if "submit" in request.POST:
                requests.request_update_and_submit(
                    actor=request.user, request=allocation, uploaded_file=upload, **data)
                messages.success(request, _("Your request was submitted."))
            else:
                requests.request_update(actor=request.user, request=allocation, uploaded_file=upload, **data)
                messages.success(request, _("Changes saved."))
            return redirect("compute:request-detail", pk)
        except ApplicationError as error:
            add_service_errors(form, error)
    return render(request, "compute/request_form.html", {"form": form, "call": allocation.call,
                                                         "allocation": allocation})


@login_required
def my_requests(request):
    return render(request, "compute/my_requests.html", {
        "page": _page(request, selectors.my_requests(user=request.user)),
    })


@login_required
def request_detail(request, pk):
    allocation = _request_or_404(request.user, pk)
    user = request.user
    grant = getattr(allocation, "grant", None)
    see_scores = permissions.can_see_other_scores(user, allocation)
    context = {
        "allocation": allocation, "call": allocation.call, "grant": grant,
        "can_edit": permissions.can_edit_request(user, allocation),
        "is_applicant": allocation.applicant_id == user.pk,
        "is_manager": permissions.is_call_manager(user, allocation.call),
        "show_identity": permissions.can_see_applicant_identity(user, allocation),
        "assignments": allocation.assignments.all() if see_scores else [],
        "attachment_form": AttachmentForm(),
        "change_form": ChangeRequestForm() if permissions.can_ask_for_change(user, allocation) else None,
        "collaborator_addresses": (
            selectors.collaborator_addresses(allocation) if allocation.applicant_id == user.pk else None
        ),
    }
    if grant is not None:
        context["usage"] = list(selectors.grant_usage(grant=grant))
        context["remaining"] = grant.units - allocation.used
        context["overrun"] = allocation.used > grant.units
        context["percent"] = min(100, int(allocation.used * 100 / grant.units))
        context["changes"] = list(grant.change_requests.all())
        context.update(selectors.grant_on_cluster(grant=grant, user=user))
        context["can_declare_login"] = permissions.is_applicant_side(user, allocation)
    return render(request, "compute/request_detail.html", context)


@login_required
@require_POST
def cluster_username(request, pk):
    """A member of a grant declares their login on its resource's cluster."""
    allocation = _request_or_404(request.user, pk)
    if not permissions.is_applicant_side(request.user, allocation):
        raise PermissionDenied
    try:
        scheduler.cluster_username_declare(actor=request.user, resource=allocation.call.resource,
                                           username=request.POST.get("username", ""))
        messages.success(request, _("Saved: an operator of the resource will confirm it."))
    except ApplicationError as error:
        messages.error(request, " ".join(str(m) for ms in error.errors.values() for m in ms) or str(error.message))
    return redirect("compute:request-detail", pk=allocation.pk)


@login_required
@require_POST
def request_action(request, pk, action):
    allocation = _request_or_404(request.user, pk)
    note = request.POST.get("note", "")
    try:
        if action == "submit":
            requests.request_submit(actor=request.user, request=allocation, note=note)
            messages.success(request, _("Your request was submitted."))
        elif action == "withdraw":
            requests.request_withdraw(actor=request.user, request=allocation, note=note)
            messages.success(request, _("The request was withdrawn."))
        else:
            raise Http404
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("compute:request-detail", pk)


@login_required
@require_POST
def attachment_add(request, pk):
    allocation = _request_or_404(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            requests.attachment_add(actor=request.user, request=allocation, uploaded_file=form.cleaned_data["file"])
            messages.success(request, _("Attachment added."))
        except ApplicationError as error:
            messages.error(request, " ".join(m for ms in error.errors.values() for m in ms) or error.message)
    else:
        messages.error(request, _("Choose a PDF file."))
    return redirect("compute:request-detail", pk)


@login_required
def attachment_download(request, pk, attachment_id):
    """Attachments are private: only people who may see the request get the file."""
    allocation = _request_or_404(request.user, pk)
    attachment = next((a for a in allocation.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type="application/pdf",
                            as_attachment=True,
                            filename=permissions.attachment_name(request.user, allocation, attachment))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def change_request_create(request, pk):
    allocation = _request_or_404(request.user, pk)
    form = ChangeRequestForm(request.POST)
    if form.is_valid():
        try:
            decisions.change_request_create(
                actor=request.user, request=allocation, reason=form.cleaned_data["reason"],
                extra_units=form.cleaned_data["extra_units"] or Decimal("0"),
                new_end_date=form.cleaned_data["new_end_date"],
            )
            messages.success(request, _("Your change request was sent to the call's managers."))
        except ApplicationError as error:
            messages.error(request, " ".join(m for ms in error.errors.values() for m in ms) or error.message)
    else:
        messages.error(request, _("Explain why you need the change."))
    return redirect("compute:request-detail", pk)


# --- Managers -------------------------------------------------------------------


def _managed_call(request, slug):
    call = _call_or_404(slug)
    if not permissions.is_call_manager(request.user, call):
        raise Http404
    return call


@login_required
def call_manage(request, slug):
    call = _managed_call(request, slug)
    page = _page(request, selectors.manager_requests(call=call))
    return render(request, "compute/call_manage.html", {
        "call": call, "page": page, "remaining": call.budget - call.granted,
        "panel": list(call.reviewers.all()), "decision_form": DecisionForm(),
        "csv_form": CsvUploadForm(), "changes": selectors.pending_changes(call=call),
        "staged_count": selectors.staged_count(call=call),
    })


@login_required
@require_POST
def request_assign(request, pk):
    allocation = _request_or_404(request.user, pk)
    if not permissions.is_call_manager(request.user, allocation.call):
        raise Http404
    form = AssignForm(request.POST, call=allocation.call)
    if form.is_valid():
        try:
            review.reviewer_assign(actor=request.user, request=allocation, reviewer=form.cleaned_data["reviewer"])
            messages.success(request, _("Reviewer assigned."))
        except ApplicationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose a reviewer from the panel."))
    return redirect("compute:call-manage", allocation.call.slug)


def _decision_refused(request, allocation, form):
    """A decision form that does not validate: its messages on the call's management page."""
    for message in [m for field_messages in form.errors.values() for m in field_messages]:
        messages.error(request, message)
    return redirect("compute:call-manage", allocation.call.slug)


@login_required
@require_POST
def request_decide_confirm(request, pk):
    """The step before a decision: what will be decided, with how many reviews are in (a warning
    when none is); nothing changes until the manager confirms."""
    allocation = _request_or_404(request.user, pk)
    if not permissions.is_call_manager(request.user, allocation.call):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _decision_refused(request, allocation, form)
    return render(request, "compute/decision_confirm.html", {
        "allocation": allocation, "form": form, "action_label": dict(DecisionForm.ACTIONS)[form.cleaned_data["action"]],
        **selectors.review_counts(request=allocation),
    })


@login_required
@require_POST
def request_decide(request, pk):
    allocation = _request_or_404(request.user, pk)
    if not permissions.is_call_manager(request.user, allocation.call):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _decision_refused(request, allocation, form)
    action, units, note = (form.cleaned_data[k] for k in ("action", "units", "note"))
    try:
        if action == "approve":
            decisions.request_approve(actor=request.user, request=allocation, units=units, note=note)
            messages.success(request, _("“%s” was approved.") % allocation.title)
        elif action == "reject":
            decisions.request_reject(actor=request.user, request=allocation, note=note)
            messages.success(request, _("“%s” was rejected.") % allocation.title)
        elif action == "changes":
            requests.request_changes_ask(actor=request.user, request=allocation, note=note)
            messages.success(request, _("Changes were requested."))
        else:
            staged = {"stage_approve": "approve", "stage_reject": "reject", "unstage": ""}[action]
            decisions.decision_stage(actor=request.user, request=allocation, decision=staged, units=units, note=note)
            messages.success(request, _("Decision staged.") if staged else _("Staged decision cleared."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("compute:call-manage", allocation.call.slug)


@login_required
@require_POST
def staged_apply(request, slug):
    call = _managed_call(request, slug)
    try:
        count = decisions.staged_decisions_apply(actor=request.user, call=call)
        messages.success(request, _("%d staged decisions applied.") % count)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("compute:call-manage", slug)


@login_required
def assign_csv(request, slug):
    call = _managed_call(request, slug)
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = review.reviewers_assign_csv(actor=request.user, call=call, content=form.text())
            messages.success(request, _("%d reviewers assigned.") % len(done))
            return redirect("compute:call-manage", slug)
        except ApplicationError as error:
            add_service_errors(form, error)
        except ValidationError as error:  # the file is not UTF-8 text or too large
            form.add_error("file", error.messages)
    return render(request, "compute/csv_upload.html", {
        "form": form, "call": call, "title": _("Assign reviewers from a CSV file"),
        "columns": "request_id,reviewer_email",
    })


@login_required
@require_POST
def change_request_decide(request, pk):
    change = ChangeRequest.objects.select_related("grant__request__call").filter(pk=pk).first()
    if change is None or not permissions.is_call_manager(request.user, change.grant.request.call):
        raise Http404
    try:
        decisions.change_request_decide(actor=request.user, change=change,
                                        approve=request.POST.get("approve") == "1", note=request.POST.get("note", ""))
        messages.success(request, _("Change request decided."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("compute:call-manage", change.grant.request.call.slug)


@login_required
def decisions_export(request, slug):
    call = _managed_call(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="decisions-{call.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["request_id", "title", "applicant", "status", "requested_units", "granted_units",
                     "submitted_at", "decided_at", "submitted_reviews"])
    for row in selectors.decisions_for_export(call=call):
        grant = getattr(row, "grant", None)
        writer.writerow([
            row.pk, _csv_safe(row.title), _csv_safe(str(row.applicant)), row.status, row.requested_units,
            grant.units if grant else "", row.submitted_at.isoformat() if row.submitted_at else "",
            row.decided_at.isoformat() if row.decided_at else "", row.reviews,
        ])
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# --- Reviewers ------------------------------------------------------------------


@login_required
def review_queue(request):
    profile = ReviewerProfile.objects.filter(user=request.user).first()
    form = ReviewerProfileForm(request.POST or None, initial={"affiliation": profile.affiliation if profile else ""})
    if request.method == "POST" and form.is_valid():
        review.reviewer_profile_set(user=request.user, affiliation=form.cleaned_data["affiliation"])
        messages.success(request, _("Affiliation saved."))
        return redirect("compute:review-queue")
    return render(request, "compute/review_queue.html", {
        "page": _page(request, selectors.reviewer_queue(user=request.user)), "profile_form": form,
        "now": timezone.now(),
    })


@login_required
def review_page(request, pk):
    assignment = selectors.assignment_for_review(user=request.user, pk=pk)
    if assignment is None or not permissions.can_review(request.user, assignment):
        raise Http404
    allocation = assignment.request
    criteria = list(allocation.call.criteria.all())
    initial = {f"criterion_{s.criterion_id}": s.value for s in assignment.scores.all()}
    initial.update(recommendation=assignment.recommendation, comment=assignment.comment)
    form = ReviewForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review.review_submit(actor=request.user, assignment=assignment, scores=form.scores(),
                                 recommendation=form.cleaned_data["recommendation"],
                                 comment=form.cleaned_data["comment"])
            messages.success(request, _("Your review was saved."))
            return redirect("compute:review", pk)
        except ApplicationError as error:
            add_service_errors(form, error)
    see_others = permissions.can_see_other_scores(request.user, allocation)
    return render(request, "compute/review.html", {
        "assignment": assignment, "allocation": allocation, "form": form,
        "show_identity": permissions.can_see_applicant_identity(request.user, allocation),
        "reviewable": allocation.status in review.REVIEWABLE,
        "others": [a for a in allocation.assignments.all() if a.pk != assignment.pk and a.status == "submitted"]
        if see_others else None,
    })


@login_required
@require_POST
def review_conflict(request, pk):
    assignment = selectors.assignment_for_review(user=request.user, pk=pk)
    if assignment is None:
        raise Http404
    review.conflict_declare(actor=request.user, assignment=assignment, note=request.POST.get("note", ""))
    messages.success(request, _("You declared a conflict of interest; the managers were told."))
    return redirect("compute:review-queue")


# --- Operators ------------------------------------------------------------------


@login_required
def grant_list(request):
    """What an operator reports against: request ids, periods and usage so far."""
    if not permissions.can_import_usage(request.user):
        raise PermissionDenied(_("Only compute operators report usage."))
    return render(request, "compute/grant_list.html", {
        "page": _page(request, selectors.grants_to_report(user=request.user)),
        "clusters": list(selectors.resources_on_clusters(user=request.user)),
    })


@login_required
def usage_import(request):
    if not permissions.can_import_usage(request.user):
        raise PermissionDenied
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            records = usage.usage_import_csv(actor=request.user, content=form.text())
            messages.success(request, _("%d usage lines imported.") % len(records))
            return redirect("compute:usage-import")
        except ApplicationError as error:
            add_service_errors(form, error)
        except ValidationError as error:  # the file is not UTF-8 text or too large
            form.add_error("file", error.messages)
    return render(request, "compute/csv_upload.html", {
        "form": form, "title": _("Import usage from a CSV file"), "grants_link": True,
        "columns": "request_id,period_start,period_end,units",
    })


@login_required
def usage_report(request):
    """One period's usage typed in a form, checked as one line of the CSV import is."""
    if not permissions.can_import_usage(request.user):
        raise PermissionDenied(_("Only compute operators report usage."))
    form = UsageReportForm(request.POST or None, grants=selectors.grants_to_report(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = usage.usage_report(
                actor=request.user, request_id=data["grant"].request_id, period_start=data["period_start"],
                period_end=data["period_end"], units=data["units"], note=data["note"], source=UsageRecord.Source.FORM,
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Usage recorded for “%(title)s”: %(units)s from %(start)s to %(end)s.") % {
                "title": data["grant"].request.title, "units": record.units,
                "start": record.period_start, "end": record.period_end,
            })
            return redirect("compute:usage-report")
    return render(request, "compute/usage_report.html", {"form": form})


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def _operated_resource(request, slug: str) -> Resource:
    resource = Resource.objects.filter(slug=slug).exclude(slurm_cluster="").first()
    if resource is None:
        raise Http404
    if not permissions.can_report_usage(request.user, resource):
        raise PermissionDenied(_("Only the resource's operators and staff see its cluster."))
    return resource


@login_required
def resource_scheduler(request, slug):
    """The operators' page of a resource on its Slurm cluster."""
    resource = _operated_resource(request, slug)
    return render(request, "compute/resource_scheduler.html", {
        "resource": resource, **selectors.scheduler_page(resource=resource),
        "actions": [("import", _("Import usage now")), ("check", _("Check against Slurm")),
                    ("fix", _("Fix the differences"))],
    })


@login_required
@require_POST
def resource_scheduler_action(request, slug, action):
    """Import usage, check or fix drift, sync one grant, or confirm a member's login: now, on request."""
    resource = _operated_resource(request, slug)
    actor = request.user
    try:
        if action == "import":
            written = scheduler.usage_import_from_scheduler(resource_id=resource.pk, actor=actor)
            messages.success(request, _("Usage imported: %d days written.") % written)
        elif action in ("check", "fix"):
            run = scheduler.scheduler_fix if action == "fix" else scheduler.scheduler_check
            found = run(resource_id=resource.pk, actor=actor)
            messages.success(request, _("%d differences with Slurm.") % len(found))
        elif action == "sync":
            grant = get_object_or_404(Grant, pk=_posted_id(request, "grant"), call__resource=resource)
            scheduler.grant_sync(grant_id=grant.pk, actor=actor)
            messages.success(request, _("The grant is synced."))
        elif action == "confirm":
            entry = get_object_or_404(ClusterUsername, pk=_posted_id(request, "username"), resource=resource)
            scheduler.cluster_username_confirm(actor=actor, entry=entry)
            messages.success(request, _("%s is confirmed.") % entry.username)
        else:
            raise Http404
    except SchedulerError as error:
        messages.error(request, str(error))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("compute:resource-scheduler", slug=resource.slug)


# --- Public ---------------------------------------------------------------------


@page_for_visitors("compute", "hub")
def dashboard(request):
    """The public ledger is the same for everyone: one shared fragment per page of projects,
    drawn again after a write to compute or to the Hub catalogue (its download counts)."""
    ledgers = once(selectors.public_ledger)

    def projects():
        page = _page(request, selectors.public_funded_projects())
        selectors.attach_hub_adoption(page.object_list)
        return page

    return render(request, "compute/dashboard.html", {
        "per_call": once(lambda: ledgers[0]), "per_resource": once(lambda: ledgers[1]),
        "call_chart": once(lambda: charts.ledger_chart(ledgers[0], title=_("Budget, granted and used per call"))),
        "resource_chart": once(lambda: charts.ledger_chart(ledgers[1], title=_("Budget, granted and used per resource"))),
        "projects": once(projects),
        "adoption": once(selectors.funded_outputs_adoption),
        "fragment": SharedFragment("compute-ledger", ("compute", "hub"), (request.GET.get("page"),)),
    })
