"""Keeping the map by hand: node edits (no loops), links made once, links removed; staff only."""

import datetime as dt

from django.test import override_settings
from django.urls import reverse

from ..models import Node, NodeLink
from .test_services import ChainTestCase


class EditingTests(ChainTestCase):
    def setUp(self):
        self.client.force_login(self.admin)

    def edit(self, node, **changes):
        data = {
            "name": node.name,
            "segment": node.segment,
            "parent": str(node.parent_id or ""),
            "in_current": "on" if node.in_current else "",
            "in_target": "on" if node.in_target else "",
            **changes,
        }
        return self.client.post(reverse("chains:node_edit", args=[node.pk]), data)

    def test_a_node_under_its_own_descendant_is_refused_on_the_page(self):
        response = self.edit(self.materials, parent=str(self.cathode.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "会形成循环:上游材料 → 正极材料 → 上游材料")
        self.assertIsNone(Node.objects.get(pk=self.materials.pk).parent_id)
        response = self.edit(self.storage, parent=str(self.cells.pk), thin_threshold="4", in_current="")
        self.assertRedirects(response, reverse("chains:node_detail", args=[self.storage.pk]))
        moved = Node.objects.get(pk=self.storage.pk)
        self.assertEqual((moved.parent, moved.thin_threshold, moved.in_current), (self.cells, 4, False))

    def test_add_a_node(self):
        response = self.client.post(
            reverse("chains:node_add", args=[self.chain.pk]),
            {
                "code": "separator",
                "name": "隔膜",
                "segment": "up",
                "parent": str(self.materials.pk),
                "in_target": "on",
            },
        )
        node = Node.objects.get(code="separator")
        self.assertRedirects(response, reverse("chains:node_detail", args=[node.pk]))
        again = self.client.post(
            reverse("chains:node_add", args=[self.chain.pk]),
            {"code": "separator", "name": "隔膜2", "segment": "up"},
        )
        self.assertContains(again, "本链已有代码为“separator”的节点")

    @override_settings(JUSHI_TODAY="2024-07-20")
    def test_link_once_then_remove(self):
        url = reverse("chains:node_link", args=[self.cells.pk])
        response = self.client.post(
            url, {"enterprise": str(self.ent_b.pk), "role": "leader", "landed_on": "2024-07-01"}, follow=True
        )
        self.assertContains(response, "已挂接到本节点")
        link = NodeLink.objects.get(node=self.cells, enterprise=self.ent_b)
        self.assertEqual(link.landed_on, dt.date(2024, 7, 1))
        self.assertEqual(link.role, "leader")
        twice = self.client.post(url, {"enterprise": str(self.ent_b.pk), "role": "core"}, follow=True)
        self.assertContains(twice, "选择一个有效的选项")  # no longer offered: it is on the node
        self.assertEqual(NodeLink.objects.count(), 1)
        neither = self.client.post(url, {"role": "core"}, follow=True)
        self.assertContains(neither, "请选择一家企业或一个项目")
        refused = self.client.post(reverse("chains:link_remove", args=[link.pk]), follow=True)
        self.assertContains(refused, "原因:移出节点须说明原因")
        self.assertIsNone(NodeLink.objects.get().ended_on)
        ended = self.client.post(
            reverse("chains:link_remove", args=[link.pk]),
            {"ended_on": "2024-07-10", "end_reason": "企业迁出"},
            follow=True,
        )
        self.assertContains(ended, "自 2024-07-10 起不再计入")
        kept = NodeLink.objects.get()  # ended, not deleted
        self.assertEqual((kept.ended_on, kept.end_reason), (dt.date(2024, 7, 10), "企业迁出"))
        self.assertContains(ended, "已移出(1)")
        again = self.client.post(
            url, {"enterprise": str(self.ent_b.pk), "role": "core", "landed_on": "2024-07-15"}, follow=True
        )
        self.assertContains(again, "已挂接到本节点")  # it may come back as a new link
        self.assertEqual(NodeLink.objects.filter(ended_on__isnull=True).count(), 1)

    def test_leaders_and_reporters_may_not_edit(self):
        for user, status in ((self.leader, 403), (self.reporter_a, 403), (self.other_admin, 404)):
            self.client.force_login(user)
            self.assertEqual(self.edit(self.materials).status_code, status, user)
            link = self.client.post(
                reverse("chains:node_link", args=[self.cells.pk]), {"enterprise": str(self.ent_b.pk)}
            )
            self.assertEqual(link.status_code, status, user)
        self.assertFalse(NodeLink.objects.exists())
        self.client.force_login(self.leader)
        page = self.client.get(reverse("chains:node_detail", args=[self.cells.pk]))
        self.assertNotContains(page, "挂接企业或项目")
