from django.test import TestCase

from jushi.accounts.choices import Role
from jushi.accounts.models import User
from jushi.core.testing import PASSWORD


def make_user(username, role=Role.STAFF, **extra) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, **extra)


class SecuritySettingsMixin:
    """Turns the two-factor rule to what a test class needs. Applied in setUp, i.e. after the project's
    autouse fixtures (the conftest turns enforcement off for ordinary tests), so it wins over them."""

    two_factor_required = False

    def setUp(self):
        super().setUp()
        self.enterContext(self.settings(JUSHI_2FA_REQUIRED=self.two_factor_required))


class AccountsTestCase(SecuritySettingsMixin, TestCase):
    pass
