from django import forms
from django.contrib.auth.forms import PasswordChangeForm as BasePasswordChangeForm


class PasswordChangeForm(BasePasswordChangeForm):
    """Django's form; a rotation must really change the password."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError("新密码不能与当前密码相同。", code="password_unchanged")
        return password
