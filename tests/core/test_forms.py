"""`add_service_errors`: where each message of a refused service call shows on a form."""

from django import forms
from django.utils import translation

from apps.core.errors import Conflict, InvalidInput
from apps.core.forms import add_service_errors


class TitleForm(forms.Form):
    title = forms.CharField()


def bound_form():
    form = TitleForm({"title": "x"})
    assert form.is_valid()
    return form


def test_field_messages_go_next_to_their_field_and_the_others_on_top():
    form = bound_form()
    sections = add_service_errors(form, InvalidInput(errors={"title": ["Too short."], "owner": ["Unknown."]}))
    assert form.errors["title"] == ["Too short."]
    assert form.non_field_errors() == ["Unknown."]
    assert sections == {}


def test_a_refusal_without_field_messages_shows_its_summary_on_top():
    form = bound_form()
    add_service_errors(form, Conflict("The call is closed."))
    assert form.non_field_errors() == ["The call is closed."]
    assert "title" not in form.errors


def test_section_messages_are_returned_for_the_page_and_not_put_on_the_form():
    form = bound_form()
    sections = add_service_errors(
        form, InvalidInput(errors={"skills": ["Unknown skill."], "title": ["Taken."]}), sections=("skills",)
    )
    assert sections == {"skills": ["Unknown skill."]}
    assert form.errors == {"title": ["Taken."]}


def test_per_line_messages_of_a_file_go_on_top_under_the_summary():
    form = bound_form()
    with translation.override("en"):
        add_service_errors(form, InvalidInput("The file has errors.", errors={"line 3": ["Unknown user."]}))
    assert form.non_field_errors() == ["The file has errors.", "Line 3: Unknown user."]
