"""form_field: a form's own copy of a field, checked against the class the form adjusts it as."""

import pytest
from django import forms

from core.forms import form_field


class PickForm(forms.Form):
    choice = forms.ChoiceField(choices=[("a", "A")])
    note = forms.CharField()


def test_gives_the_forms_own_copy():
    form = PickForm()
    form_field(form, "choice", forms.ChoiceField).choices = [("b", "B")]
    assert form.fields["choice"].choices == [("b", "B")]
    assert PickForm.base_fields["choice"].choices == [("a", "A")]


def test_refuses_a_field_of_another_class():
    with pytest.raises(TypeError, match=r"PickForm\.note is a CharField, not a ChoiceField"):
        form_field(PickForm(), "note", forms.ChoiceField)
