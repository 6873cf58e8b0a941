import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from jushi.core import clock, scopes
from jushi.core.querysets import RestrictedQuerySet

from .choices import COUNTED, ProblemStatus

# Who may see a confidential project (still under negotiation, name not yet public): administrators
# and the investment and project departments. Everyone else sees it only inside the totals.
CONFIDENTIAL_DEPARTMENTS = ("investment", "projects")


def sees_confidential(user) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return getattr(user, "role", "") == "admin" or getattr(user, "department", "") in CONFIDENTIAL_DEPARTMENTS


class ProjectQuerySet(RestrictedQuerySet):
    zone_path = "zone"

    def visible_to(self, user):
        scope = scopes.scope_of(user)
        if scope.enterprise_id is not None:  # enterprise reporters have no business in the ledger
            return self.none()
        rows = super().visible_to(user)
        return rows if sees_confidential(user) else rows.filter(confidential=False)

    def of_enterprise(self, enterprise):
        """Projects the enterprise lands (落地企业) or invests in (investor by credit code)."""
        return self.filter(
            models.Q(enterprise=enterprise) | models.Q(investor__credit_code=enterprise.credit_code)
        )

    def counted(self):
        """Projects a signing counts for: not a suspected or merged duplicate."""
        return self.filter(duplicate_status__in=COUNTED)

    def with_agreed_as_of(self, day: dt.date):
        """Annotate `agreed_then`: the agreed investment as it stood on `day` — the current amount less
        the contract changes that take effect after `day` (the changes form one chain from the amount at
        signing, so this is the amount at signing plus the changes effective by `day`)."""
        from .models import ContractChange

        later = (
            ContractChange.objects.filter(project=OuterRef("pk"), effective_on__gt=day)
            .order_by()
            .values("project")
            .annotate(d=Sum(F("new_investment") - Coalesce(F("old_investment"), Value(Decimal(0)))))
            .values("d")
        )
        money = DecimalField(max_digits=14, decimal_places=2)
        return self.annotate(
            agreed_then=F("agreed_investment")
            - Coalesce(Subquery(later, output_field=money), Value(Decimal(0)), output_field=money)
        )


class ProjectPartQuerySet(RestrictedQuerySet):
    """Rows that belong to a project (funds, milestones, problems…): visible with their project."""

    zone_path = "project__zone"

    def visible_to(self, user):
        from .models import Project

        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))


class ProblemQuerySet(ProjectPartQuerySet):
    def open(self):
        return self.filter(status=ProblemStatus.OPEN)

    def overdue(self, today: dt.date | None = None):
        return self.open().filter(due_on__lt=today or clock.today())


class EventQuerySet(RestrictedQuerySet):
    zone_path = "zone"

    def visible_to(self, user):
        if scopes.scope_of(user).enterprise_id is not None:
            return self.none()
        return super().visible_to(user)


class InvestorQuerySet(models.QuerySet):
    pass
