"""The bad-input corpus (issue 13 point 10): every import × every kind of bad file or cell.

Each case ends in a clear row or field error (or a refusal of the whole file) with nothing written, or,
where the domain reads the input unambiguously (GBK or BOM CSV, full-width digits, a formula typed as
text), in a correct import. "Nothing written" compares the row counts of the import's models and of the
change log before and after.

Every import reads its upload with `jushi.lib.tabular.read_table` and then calls its service; the corpus
goes through both, with the doors' own size cap (JUSHI_IMPORT_MAX_BYTES).
"""

import unittest
from dataclasses import dataclass, field, replace

from django.conf import settings

from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase, make_code
from jushi.lib.tabular import TableError, read_table, write_table
from jushi.lib.tests import bombs

MB = 1024 * 1024
NOTE = "情况说明"  # the reporting import's free-text column (jushi.reporting.columns.NOTE_HEADER)


@dataclass
class Door:
    """One import: a good row, which of its columns are a number, a date and free text, and its models."""

    name: str
    row: dict[str, str]
    key: str  # the column that makes a row the same record (for the duplicate case)
    required: str  # a required column (for the missing-column case)
    number: str = ""
    date: str = ""
    text: str = ""
    models: tuple = ()
    # case → "ok" where this door reads it correctly; every other case must be an error
    accepts: set = field(default_factory=set)
    # case → why it fails today and who owns the fix (marked expected-failure until they land)
    known: dict = field(default_factory=dict)

    def run(self, test, table):
        return getattr(test, f"run_{self.name}")(table)


def _models():
    from jushi.chains.models import PoolCompany
    from jushi.indicators.models import DeptFigure
    from jushi.projects.models import Project
    from jushi.registry.models import Enterprise, SizeMembership
    from jushi.reporting.models import ReportingPeriod, Submission, Value, ValueChange

    return {
        "enterprises": (Enterprise, SizeMembership),
        "reporting": (ReportingPeriod, Submission, Value, ValueChange),
        "figures": (DeptFigure,),
        "projects": (Project,),
        "pool": (PoolCompany,),
    }


# Whole files refused by read_table before any import sees them.
FILE_CASES = ("empty_file", "not_an_xlsx", "only_headers", "dimension_bomb", "zip_bomb", "cell_10mb")
ALWAYS_OK = {"gbk_csv", "bom_csv", "formula_text", "hyperlink_text", "full_width_digits"}

DOORS = [
    Door(
        "enterprises",
        row={
            "统一社会信用代码": make_code(901),
            "企业名称": "语料企业有限公司",
            "开发区代码": "kashgar",
            "园区代码": "energy",
            "占地面积(亩)": "12.5",
            "成立日期": "2015-03-01",
        },
        key="统一社会信用代码",
        required="企业名称",
        number="占地面积(亩)",
        date="成立日期",
        text="企业名称",
        accepts=set(ALWAYS_OK),
    ),
    Door(
        "figures",
        row={"开发区代码": "kashgar", "指标代码": "HT_ENT", "报告期": "2024", "数值": "45", "备注": "语料"},
        key="指标代码",
        required="指标代码",
        number="数值",
        date="报告期",
        text="备注",
        accepts=set(ALWAYS_OK),
    ),
    Door(
        "projects",
        row={
            "项目编号": "",
            "项目名称": "语料项目",
            "投资方": "语料投资有限公司",
            "协议总投资(万元)": "5000",
            "线索日期": "2024-03-01",
        },
        key="项目名称",
        required="投资方",
        number="协议总投资(万元)",
        date="线索日期",
        text="项目名称",
        accepts=set(ALWAYS_OK),
    ),
    Door(
        "pool",
        row={"企业名称": "语料目标企业", "产业链代码": "corpus", "节点代码": "cells", "规模": "大型"},
        key="企业名称",
        required="规模",
        text="企业名称",
        accepts=set(ALWAYS_OK),
    ),
    Door(
        "reporting",
        row={},  # built from the form's fields in setUpTestData
        key="统一社会信用代码",
        required="统一社会信用代码",
        number="工业总产值(当年价格)(千元)",  # the form's first field; setUpTestData checks it
        text=NOTE,
        accepts=set(ALWAYS_OK),
    ),
]
BY_NAME = {d.name: d for d in DOORS}


def _cases(door: Door) -> dict:
    """case name → the edit of the good row (column → text), a whole-table change, or a whole file."""
    cases = {}
    if door.text:
        cases["long_text"] = {door.text: "长" * 5000}  # within the cell cap, beyond every text field
        cases["formula_text"] = {door.text: "=1+1"}
        cases["hyperlink_text"] = {door.text: '=HYPERLINK("http://evil.example/","点我")'}
    if door.number:
        cases["formula_number"] = {door.number: "=1+1"}
        cases["nan"] = {door.number: "NaN"}
        cases["infinity"] = {door.number: "Infinity"}
        cases["huge"] = {door.number: "1e30"}
        cases["negative"] = {door.number: "-5"}
        cases["full_width_digits"] = {door.number: "１２３"}
        cases["too_many_decimals"] = {door.number: "1.000000001"}  # finer than any field stores
    if door.date:
        cases["impossible_date"] = {door.date: "2024-02-30"}
        cases["year_one"] = {door.date: "0001-01-01"}
    cases["duplicate_rows"] = "duplicate"
    cases["missing_column"] = "missing"
    cases["extra_column"] = "extra"
    cases["gbk_csv"] = "gbk"
    cases["bom_csv"] = "bom"
    for name in FILE_CASES:
        cases[name] = "file"
    return cases


class BadInputCorpusTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from jushi.chains.choices import Segment
        from jushi.chains.models import Chain, Node
        from jushi.reporting.columns import CODE_HEADER, NOTE_HEADER, field_columns
        from jushi.reporting.models import ReportForm

        chain = Chain.objects.create(zone=cls.kashgar, code="corpus", name="语料产业链")
        Node.objects.create(chain=chain, code="cells", name="电芯", segment=Segment.MIDSTREAM)
        cls.report_form = ReportForm.objects.get(code="ind-monthly")
        columns = field_columns(cls.report_form.fields.all())
        row = {CODE_HEADER: cls.ent_a.credit_code}
        row.update({c.header: "100" for c in columns})
        row[NOTE_HEADER] = "语料"
        cls.reporting_row = row
        assert columns[0].header == BY_NAME["reporting"].number

    # -- the doors ---------------------------------------------------------------------------------

    def run_enterprises(self, table):
        from jushi.registry.services.importing import import_enterprises

        return import_enterprises(actor=self.reviewer, table=table, source=ChangeSource.IMPORT)

    def run_figures(self, table):
        from jushi.indicators.services import import_figures

        return import_figures(actor=self.admin, table=table, source=ChangeSource.IMPORT)

    def run_projects(self, table):
        from jushi.projects.services.importing import import_ledger

        return import_ledger(
            actor=self.admin, zone=self.kashgar, table=table, source=ChangeSource.IMPORT, dry_run=False
        )

    def run_pool(self, table):
        from jushi.chains.services import import_pool

        return import_pool(
            actor=self.admin, zone=self.kashgar, table=table, source=ChangeSource.IMPORT, dry_run=False
        )

    def run_reporting(self, table):
        from jushi.lib.periods import Period
        from jushi.reporting.services.importing import import_period

        return import_period(
            actor=self.reviewer,
            form=self.report_form,
            period=Period.parse("2024-06"),
            table=table,
            source=ChangeSource.IMPORT,
        )

    # -- the corpus --------------------------------------------------------------------------------

    def door(self, name: str) -> Door:
        door = BY_NAME[name]
        if name == "reporting":
            door = replace(door, row=dict(self.reporting_row))
        return door

    def counts(self, door: Door):
        return [m.objects.count() for m in _models()[door.name]] + [ChangeLog.objects.count()]

    def file_for(self, door: Door, case: str) -> tuple[bytes, str]:
        headers, row = list(door.row), dict(door.row)
        edit = _cases(door)[case]
        rows = [row]
        if isinstance(edit, dict):
            row.update(edit)
        elif edit == "duplicate":
            rows = [row, dict(row)]
        elif edit == "missing":
            headers.remove(door.required)
        elif edit == "extra":
            headers.append("多余的列")
            row["多余的列"] = "x"
        if case == "gbk_csv":
            text = write_table(headers, [[r.get(h, "") for h in headers] for r in rows], "csv")
            return text.decode("utf-8-sig").encode("gbk"), "corpus.csv"
        if case == "bom_csv":
            return write_table(headers, [[r.get(h, "") for h in headers] for r in rows], "csv"), "corpus.csv"
        if case == "empty_file":
            return b"", "corpus.xlsx"
        if case == "not_an_xlsx":
            return write_table(headers, [list(row.values())], "csv"), "corpus.xlsx"
        if case == "only_headers":
            return write_table(headers, [], "xlsx"), "corpus.xlsx"
        if case == "dimension_bomb":
            return bombs.dimension_bomb(
                "A1:XFD20000", headers=headers, rows=[list(row.values())]
            ), "corpus.xlsx"
        if case == "zip_bomb":
            return bombs.zip_bomb(16, headers=headers), "corpus.xlsx"
        if case == "cell_10mb":
            cells = [r.get(h, "") for h in headers for r in [row]]
            cells[0] = "长" * (10 * MB // 3)  # 10 MB of UTF-8 in one cell
            return write_table(headers, [cells], "csv"), "corpus.csv"
        # cell edits go through a real XLSX, as people send them
        return write_table(headers, [[r.get(h, "") for h in headers] for r in rows], "xlsx"), "corpus.xlsx"

    def check(self, name: str, case: str):
        door = self.door(name)
        data, filename = self.file_for(door, case)
        before = self.counts(door)
        try:
            table = read_table(data, filename, max_bytes=settings.JUSHI_IMPORT_MAX_BYTES)
        except TableError as exc:
            self.assertIn(case, FILE_CASES, f"{name}/{case}: the file was refused: {exc}")
            self.assertTrue(str(exc))
            self.assertEqual(self.counts(door), before)
            return
        self.assertNotIn(case, FILE_CASES, f"{name}/{case}: a hostile file was read")
        result = door.run(self, table)
        errors = [str(e) for e in result.errors]
        if case in door.accepts:
            self.assertEqual(errors, [], f"{name}/{case}")
            self.assertNotEqual(self.counts(door), before, f"{name}/{case}: nothing was imported")
        else:
            self.assertTrue(errors, f"{name}/{case}: accepted, should be a row or field error")
            self.assertTrue(all(e.strip() for e in errors))
            self.assertEqual(self.counts(door), before, f"{name}/{case}: an error, yet something was written")


def _make(name: str, case: str):
    def test(self):
        self.check(name, case)

    test.__name__ = f"test_{name}_{case}"
    reason = BY_NAME[name].known.get(case)
    if reason:
        test.__doc__ = f"Expected to fail until fixed: {reason}"
        test = unittest.expectedFailure(test)
    return test


for _door in DOORS:
    for _case in _cases(_door):
        setattr(BadInputCorpusTests, f"test_{_door.name}_{_case}", _make(_door.name, _case))


class UploadReadingTests(unittest.TestCase):
    """The doors read an upload through jushi.core.uploads.read_upload: refused by its size before reading."""

    def test_an_upload_over_the_cap_is_refused_before_it_is_read(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from jushi.core.uploads import read_upload

        class Unread(SimpleUploadedFile):
            def read(self, *args):
                raise AssertionError("read before its size was checked")

        big = Unread("big.csv", b"x" * 2001)
        with self.assertRaisesRegex(TableError, "超过上限"):
            read_upload(big, max_bytes=2000)
        with self.assertRaisesRegex(TableError, "不是 CSV 或 XLSX"):
            read_upload(Unread("list.exe", b"x"), max_bytes=2000)
        self.assertEqual(read_upload(SimpleUploadedFile("ok.csv", b"a\n1\n"), max_bytes=2000), b"a\n1\n")

    def test_a_file_claiming_a_small_size_is_still_read_only_up_to_the_cap(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from jushi.core.uploads import read_upload

        liar = SimpleUploadedFile("liar.csv", b"x" * 5000)
        liar.size = 10
        self.assertEqual(len(read_upload(liar, max_bytes=2000)), 2001)  # and read_table then refuses it
