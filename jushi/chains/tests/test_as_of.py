"""Chain figures as of a day (DOMAIN §3a): links count from their landing date until their end date, an
ended link is kept (not deleted), and the bulletin states the chain as it stood at the period's end."""

import datetime as dt
from decimal import Decimal

from django.test import override_settings

from jushi.core.models import ChangeLog
from jushi.lib.periods import Period

from .. import services
from ..figures import bulletin_sentence, chain_figures, facts
from ..gaps import closed_this_year
from ..models import NodeLink
from .test_services import WEB, ChainTestCase

D = dt.date


@override_settings(JUSHI_TODAY="2024-07-20")
class AsOfTests(ChainTestCase):
    def setUp(self):
        self.chain.bulletin_label = "锂电产业"
        self.chain.save()
        self.a = services.link(
            actor=self.admin,
            node=self.cells,
            enterprise=self.ent_a,
            landed_on=D(2023, 3, 1),
            investment=Decimal("30000"),
            expected_output=Decimal("50000"),
            source=WEB,
        )
        self.b = services.link(
            actor=self.admin,
            node=self.cathode,
            enterprise=self.ent_b,
            landed_on=D(2024, 2, 1),
            investment=Decimal("20000"),
            expected_output=Decimal("10000"),
            source=WEB,
        )

    def counts(self, day):
        nodes, figures = chain_figures(self.chain, day)
        return {n.code: len(figures[n.pk].enterprises) for n in nodes if n.parent_id is None}

    def test_links_count_from_landing_until_the_end_date(self):
        self.assertEqual(self.counts(D(2023, 2, 28)), {"materials": 0, "cells": 0, "storage": 0})
        self.assertEqual(self.counts(D(2023, 6, 30)), {"materials": 0, "cells": 1, "storage": 0})
        self.assertEqual(self.counts(D(2024, 6, 30)), {"materials": 1, "cells": 1, "storage": 0})
        services.unlink(actor=self.admin, link_=self.b, ended_on=D(2024, 5, 1), reason="企业迁出", source=WEB)
        self.assertEqual(self.counts(D(2024, 4, 30)), {"materials": 1, "cells": 1, "storage": 0})
        self.assertEqual(
            self.counts(D(2024, 5, 1)), {"materials": 0, "cells": 1, "storage": 0}
        )  # ends that day
        self.assertEqual(self.counts(None), {"materials": 0, "cells": 1, "storage": 0})  # today, by the clock
        kept = NodeLink.objects.get(pk=self.b.pk)
        self.assertEqual((kept.ended_on, kept.end_reason), (D(2024, 5, 1), "企业迁出"))
        log = ChangeLog.objects.for_object(self.b).filter(action="update").get()
        self.assertEqual(
            (log.before["ended_on"], log.after["ended_on"], log.reason), (None, "2024-05-01", "企业迁出")
        )

    def test_the_bulletin_states_the_chain_at_the_period_end(self):
        self.assertEqual(
            bulletin_sentence(self.kashgar, Period.parse("2023H1")),
            "引进落地锂电产业企业1家,总投资达3亿元,全部建成投产后产值预计可以达到5亿元",
        )
        self.assertEqual(
            bulletin_sentence(self.kashgar, Period.parse("2024H1")),
            "引进落地锂电产业企业2家,其中上游材料企业1家、电池制造企业1家,总投资达5亿元,"
            "全部建成投产后产值预计可以达到6亿元",
        )
        self.assertIsNone(bulletin_sentence(self.kashgar, Period.parse("2022")))
        # Ending a link today changes no closed period.
        services.unlink(actor=self.admin, link_=self.a, reason="停产退出", source=WEB)
        self.assertEqual(NodeLink.objects.get(pk=self.a.pk).ended_on, D(2024, 7, 20))
        self.assertEqual(
            bulletin_sentence(self.kashgar, Period.parse("2023H1")),
            "引进落地锂电产业企业1家,总投资达3亿元,全部建成投产后产值预计可以达到5亿元",
        )
        self.assertIn("引进落地锂电产业企业2家", bulletin_sentence(self.kashgar, Period.parse("2024H1")))
        self.assertIn("引进落地锂电产业企业1家", bulletin_sentence(self.kashgar, Period.parse("2024-07")))

    def test_gaps_closed_this_year_compare_landing_dates(self):
        nodes, figures = chain_figures(self.chain, D(2024, 6, 30))
        by_code = {f.code: f for f in facts(nodes, figures)}
        self.assertEqual((by_code["cathode"].count, by_code["cathode"].count_at_year_start), (1, 0))
        self.assertEqual((by_code["cells"].count, by_code["cells"].count_at_year_start), (1, 1))
        closed = {(n.code, before, now) for n, before, now in closed_this_year(facts(nodes, figures))}
        self.assertEqual(closed, {("cathode", "empty", "thin"), ("materials", "empty", "thin")})
        # As of the end of 2023 the cathode link had not landed: nothing closed that year there.
        nodes, figures = chain_figures(self.chain, D(2023, 12, 31))
        closed = {n.code for n, _, _ in closed_this_year(facts(nodes, figures))}
        self.assertEqual(closed, {"cells"})

    def test_an_end_before_the_landing_date_is_refused_and_nothing_changes(self):
        with self.assertRaises(services.ChainError) as caught:
            services.unlink(
                actor=self.admin, link_=self.b, ended_on=D(2024, 1, 31), reason="迁出", source=WEB
            )
        self.assertEqual(
            caught.exception.errors, {"ended_on": "结束日期 2024-01-31 不能早于落地日期 2024-02-01"}
        )
        with self.assertRaises(services.ChainError) as caught:
            services.unlink(
                actor=self.admin, link_=self.b, ended_on=D(2024, 7, 21), reason="迁出", source=WEB
            )
        self.assertEqual(caught.exception.errors, {"ended_on": "结束日期 2024-07-21 晚于今天(2024-07-20)"})
        with self.assertRaises(services.ChainError) as caught:
            services.unlink(actor=self.admin, link_=self.b, reason="  ", source=WEB)
        self.assertEqual(caught.exception.errors, {"end_reason": "移出节点须说明原因"})
        self.b.refresh_from_db()
        self.assertEqual((self.b.ended_on, self.b.end_reason), (None, ""))
        self.assertFalse(ChangeLog.objects.for_object(self.b).filter(action="update").exists())

    def test_a_landing_date_after_today_is_refused(self):
        count = NodeLink.objects.count()
        with self.assertRaises(services.ChainError) as caught:
            services.link(
                actor=self.admin,
                node=self.cathode,
                enterprise=self.ent_a,
                landed_on=D(2024, 7, 21),
                source=WEB,
            )
        self.assertEqual(
            caught.exception.errors,
            {"landed_on": "落地日期 2024-07-21 晚于今天(2024-07-20),尚未落地的不能挂链"},
        )
        self.assertEqual(NodeLink.objects.count(), count)

    def test_a_return_to_the_node_is_a_new_link_landing_after_the_end(self):
        services.unlink(actor=self.admin, link_=self.b, ended_on=D(2024, 5, 1), reason="迁出", source=WEB)
        with self.assertRaises(services.ChainError) as caught:
            services.link(
                actor=self.admin,
                node=self.cathode,
                enterprise=self.ent_b,
                landed_on=D(2024, 4, 1),
                source=WEB,
            )
        self.assertIn("落地日期不能早于这一天", caught.exception.errors["landed_on"])
        self.assertEqual(NodeLink.objects.filter(enterprise=self.ent_b).count(), 1)
        again = services.link(
            actor=self.admin, node=self.cathode, enterprise=self.ent_b, landed_on=D(2024, 6, 1), source=WEB
        )
        self.assertEqual(NodeLink.objects.filter(enterprise=self.ent_b).count(), 2)
        with self.assertRaises(services.ChainError):  # while open, once per node
            services.link(actor=self.admin, node=self.cathode, enterprise=self.ent_b, source=WEB)
        self.assertEqual(self.counts(D(2024, 5, 15))["materials"], 0)
        self.assertEqual(self.counts(D(2024, 6, 1))["materials"], 1)
        with self.assertRaises(services.ChainError) as caught:
            services.unlink(
                actor=self.admin, link_=NodeLink.objects.get(pk=self.b.pk), reason="再次", source=WEB
            )
        self.assertEqual(caught.exception.errors, {"ended_on": "该挂接已于 2024-05-01 结束"})
        self.assertIsNone(NodeLink.objects.get(pk=again.pk).ended_on)


@override_settings(JUSHI_TODAY="2024-07-20")
class LinkApiTests(ChainTestCase):
    def post(self, url, data):
        self.client.force_login(self.admin)
        return self.client.post(url, data, content_type="application/json")

    def test_link_and_end_through_the_api_with_field_errors(self):
        url = f"/api/chains/nodes/{self.cells.pk}/"
        future = self.post(url + "link/", {"enterprise": self.ent_a.pk, "landed_on": "2024-07-21"})
        self.assertEqual(future.status_code, 400)
        self.assertEqual(
            future.json(),
            {"errors": {"landed_on": "落地日期 2024-07-21 晚于今天(2024-07-20),尚未落地的不能挂链"}},
        )
        self.assertFalse(NodeLink.objects.exists())
        made = self.post(
            url + "link/", {"enterprise": self.ent_a.pk, "landed_on": "2023-03-01", "role": "core"}
        )
        self.assertEqual(made.status_code, 201, made.content)
        self.assertEqual((made.json()["landed_on"], made.json()["ended_on"]), ("2023-03-01", None))
        pk = made.json()["id"]
        early = self.post(url + "unlink/", {"link": pk, "ended_on": "2023-02-01", "end_reason": "迁出"})
        self.assertEqual(early.status_code, 400)
        self.assertEqual(
            early.json(), {"errors": {"ended_on": "结束日期 2023-02-01 不能早于落地日期 2023-03-01"}}
        )
        self.assertIsNone(NodeLink.objects.get(pk=pk).ended_on)
        ended = self.post(url + "unlink/", {"link": pk, "ended_on": "2024-05-01", "end_reason": "迁出"})
        self.assertEqual(ended.status_code, 200, ended.content)
        self.assertEqual((ended.json()["ended_on"], ended.json()["end_reason"]), ("2024-05-01", "迁出"))
        self.client.force_login(self.leader)
        node = self.client.get(url).json()
        self.assertEqual((node["links"], [k["id"] for k in node["ended_links"]]), ([], [pk]))
        refused = self.client.post(
            url + "unlink/", {"link": pk, "end_reason": "x"}, content_type="application/json"
        )
        self.assertEqual(refused.status_code, 403)
