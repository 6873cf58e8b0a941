"""A small ledger on top of the test personas: a stage table, an expo, and helpers that build
projects through the services, as the pages do."""

import datetime as dt

from jushi.core.choices import ChangeSource
from jushi.core.testing import PersonaTestCase, make_code

from .. import services
from ..models import Event

D = dt.date


class LedgerTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.expo = Event.objects.create(
            zone=cls.kashgar, name="第八届中国—亚欧博览会", held_on=D(2024, 6, 26)
        )

    def lead(self, name="无人机装备制造项目", investor="中天智控科技控股股份有限公司", code=None, **data):
        return services.create_project(
            actor=self.admin,
            zone=self.kashgar,
            data={
                "name": name,
                "investor_name": investor,
                "credit_code": code,
                "lead_on": data.pop("lead_on", D(2024, 3, 1)),
                **data,
            },
            source=ChangeSource.WEB,
        )

    def sign(self, project, on=D(2024, 6, 26), amount="15000", **data):
        return services.advance_stage(
            actor=self.admin,
            project=project,
            to_stage="signed",
            data={
                "talks_on": data.pop("talks_on", D(2024, 4, 1)),
                "industry": data.pop("industry", "3841"),
                "signed_on": on,
                "agreed_investment": amount,
                "contract_no": data.pop("contract_no", "KS-2024-001"),
                **data,
            },
            source=ChangeSource.WEB,
        )


__all__ = ["D", "LedgerTestCase", "make_code"]
