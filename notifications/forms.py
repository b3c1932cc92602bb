from django import forms

from accounts.models import User


class EmailModeForm(forms.Form):
    email_mode = forms.ChoiceField(
        label="Notifications by e-mail",
        choices=User.EmailMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you want to receive e-mail.",
            "invalid_choice": "Choose one of the options: each e-mail as it happens, or one daily digest.",
        },
    )
