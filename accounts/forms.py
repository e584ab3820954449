from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import User


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")
        help_texts = {"email": "Optional. Only used to reset a forgotten password."}


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "email", "keep_captures")
        labels = {"keep_captures": "Keep my captured images"}
        help_texts = {
            "display_name": "Shown instead of your username.",
            "keep_captures": "Applies to new captures. Otherwise each image is deleted as soon as it is analysed.",
        }


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
