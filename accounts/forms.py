from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html

from accounts.models import User

PASSWORD_RULES = ("At least 8 characters. Not only digits, not a common password, "
                  "and not too like your username or email.")


def _consent_label() -> str:
    return format_html(
        "I agree that MoodMusic analyses my face in the pictures I take, to read my mood. "
        'Pictures are deleted after analysis unless I choose to keep them (<a href="{}">privacy</a>).',
        reverse_lazy("privacy"),
    )


class SignupForm(UserCreationForm):
    face_analysis_consent = forms.BooleanField(
        label=lazy(_consent_label, str)(),
        error_messages={"required": "MoodMusic cannot read your mood without this. You can delete your account "
                                    "and everything in it at any time."},
    )

    class Meta:
        model = User
        fields = ("username", "email")
        help_texts = {
            "username": "Letters, digits and @ . + - _ only; 150 at most.",
            "email": "Optional. Only used to reset a forgotten password.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["password1"].widget.attrs.update(autocomplete="new-password")
        self.fields["password2"].widget.attrs.update(autocomplete="new-password")
        self.fields["password1"].help_text = PASSWORD_RULES
        self.fields["password2"].label = "Password again"
        self.fields["password2"].help_text = ""
        self.fields.pop("usable_password", None)


class ProfileForm(forms.ModelForm):
    label_suffix = ""

    class Meta:
        model = User
        fields = ("display_name", "email", "keep_captures", "private_mode")
        labels = {"keep_captures": "Keep my captured images",
                  "private_mode": "Private mode: read my face on this device"}
        help_texts = {
            "display_name": "Shown instead of your username.",
            "keep_captures": "Applies to new captures. Otherwise each image is deleted as soon as it is analysed.",
            "private_mode": "The capture page starts with private mode on: your browser reads your face and sends "
                            "only the result, never the picture. You can switch it on the capture page too.",
        }


class DeleteAccountForm(forms.Form):
    label_suffix = ""
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
