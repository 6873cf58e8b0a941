"""The gap rules and the recommendation reasons, pinned on a small fixed chain:

电池材料 (up) ── 正极材料 (up, 0)   负极材料 (up, 1)
电池制造 (mid, 5)
储能系统 (down, target only, 0)    回收利用 (support, current only, 0)
"""

from django.test import SimpleTestCase

from ..choices import Gap, Strength
from ..gaps import NodeFacts, closed_this_year, gaps, strength
from ..recommend import Candidate, suggest

NODES = [
    NodeFacts("materials", "电池材料", "up", True, True, 3, 1, 0, None),
    NodeFacts("cathode", "正极材料", "up", True, True, 3, 0, 0, "materials"),
    NodeFacts("anode", "负极材料", "up", True, True, 3, 1, 0, "materials"),
    NodeFacts("cells", "电池制造", "mid", True, True, 3, 5, 2, None),
    NodeFacts("storage", "储能系统", "down", False, True, 2, 0, 0, None),
    NodeFacts("recycling", "回收利用", "support", True, False, 3, 0, 0, None),
]


class GapRuleTests(SimpleTestCase):
    def test_strength(self):
        self.assertEqual(
            [strength(n, 3) for n in (0, 1, 2, 3, 9)], ["empty", "thin", "thin", "strong", "strong"]
        )

    def test_the_work_list(self):
        found = [(g.node.code, g.gap, g.strength) for g in gaps(NODES)]
        self.assertEqual(
            found,
            [
                ("cathode", Gap.FILL, Strength.EMPTY),  # empty, on the current map: 补链
                ("storage", Gap.EXTEND, Strength.EMPTY),  # empty, target map only: 延链
                ("anode", Gap.STRENGTHEN, Strength.THIN),  # 1 < 3: 强链
                ("materials", Gap.STRENGTHEN, Strength.THIN),
            ],
        )  # cells is strong; recycling is not wanted in the target map
        reasons = {g.node.code: g.reason for g in gaps(NODES)}
        self.assertEqual(reasons["anode"], "“负极材料”仅有 1 家企业和项目,少于薄弱阈值 3")
        self.assertEqual(reasons["storage"], "远景图新增的“储能系统”环节,本区尚无企业和项目")

    def test_gaps_closed_this_year(self):
        closed = [(n.code, before, now) for n, before, now in closed_this_year(NODES)]
        self.assertEqual(
            closed, [("materials", "empty", "thin"), ("anode", "empty", "thin"), ("cells", "thin", "strong")]
        )


class RecommendationTests(SimpleTestCase):
    parent = {n.code: n.parent for n in NODES}
    names = {n.code: n.name for n in NODES}
    enterprises = {"materials": 1, "anode": 1, "cells": 5}

    def test_scores_and_reasons(self):
        pool = [
            Candidate(1, "甲正极材料股份有限公司", "cathode", "large", listed=True, products="三元正极"),
            Candidate(2, "乙正极材料有限公司", "cathode", "small"),
            Candidate(3, "丙负极材料有限公司", "anode", "medium"),  # a sibling of cathode
            Candidate(4, "丁电池有限公司", "cells", "large"),  # not related to cathode: left out
        ]
        found = suggest("cathode", pool, parent=self.parent, names=self.names, enterprises=self.enterprises)
        self.assertEqual([(s.candidate.key, s.score) for s in found], [(1, 90), (2, 60), (3, 35)])
        self.assertEqual(
            found[0].reasons,
            [
                ("主营产品对应“正极材料”环节(三元正极)", 50),
                ("大型企业", 25),
                ("上市公司", 10),
                ("上下游环节已有 1 家本区企业,可就近配套", 5),
            ],
        )
        self.assertEqual(found[2].reasons[0], ("同属“电池材料”下的相邻环节“负极材料”", 15))

    def test_a_parent_gap_takes_its_sub_nodes_companies(self):
        pool = [Candidate(1, "甲正极材料股份有限公司", "cathode", "medium")]
        (only,) = suggest(
            "materials", pool, parent=self.parent, names=self.names, enterprises=self.enterprises
        )
        self.assertEqual(only.reasons[0], ("属于“电池材料”的细分环节“正极材料”", 30))
        self.assertEqual(only.reasons[-1], ("上下游环节已有 1 家本区企业,可就近配套", 5))  # anode's one
