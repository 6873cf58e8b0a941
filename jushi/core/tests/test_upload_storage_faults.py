"""Uploads the disk cannot take (an unwritable media folder, a full disk): a clear Chinese error on the
page, no row recorded, no partial file left. Project attachments, the funds form's evidence file, and the
import file kept between a dry run and its confirmation."""

import errno
import shutil
import tempfile
from pathlib import Path
from unittest import mock

from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from jushi.core.models import ChangeLog
from jushi.core.testing import make_code
from jushi.core.uploads import STORAGE_MESSAGE as IMPORT_MESSAGE
from jushi.lib.tabular import write_table
from jushi.projects.models import Attachment, FundsRecord
from jushi.projects.services.schedule import STORAGE_MESSAGE
from jushi.projects.tests.base import D, LedgerTestCase
from jushi.registry.columns import HEADERS
from jushi.registry.models import Enterprise

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"x" * 200_000


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def disk_full(self, name, content):
    """FileSystemStorage._save that writes part of the file, then finds the disk full."""
    path = Path(self.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.read(4096))
    raise OSError(errno.ENOSPC, "No space left on device")


class UploadStorageFaultTests(LedgerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.project = cls.sign(cls, cls.lead(cls))

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="jushi-storage-faults-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.media = self.tmp / "media"
        self.media.mkdir()
        (self.tmp / "a-file").write_text("not a folder")
        self.client.force_login(self.admin)

    def counts(self):
        return (Attachment.objects.count(), FundsRecord.objects.count(), ChangeLog.objects.count())

    def post_attachment(self):
        url = reverse("projects:project_attachment", args=[self.project.pk])
        return self.client.post(url, {"kind": "contract", "file": SimpleUploadedFile("合同.pdf", PDF)})

    def post_funds(self):
        url = reverse("projects:project_funds", args=[self.project.pk])
        data = {"on": "2024-07-18", "amount": "1200", "evidence": "bank", "source_region": "province"}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, {**data, "file": SimpleUploadedFile("进账单.pdf", PDF)})

    def assert_refused(self, response, before):
        self.assertEqual(response.status_code, 200)
        self.assertIn(STORAGE_MESSAGE, response.content.decode())
        self.assertEqual(self.counts(), before)
        self.assertEqual(files_under(self.media), [])

    def test_the_controls_store_the_files(self):
        """The same posts on a healthy disk keep the file and its row: the faults below are the cause."""
        before = self.counts()
        with override_settings(MEDIA_ROOT=self.media):
            self.assertEqual(self.post_attachment().status_code, 302)
            self.assertEqual(self.post_funds().status_code, 302)
        self.assertEqual(Attachment.objects.count(), before[0] + 2)
        self.assertEqual(FundsRecord.objects.count(), before[1] + 1)
        self.assertEqual(len(files_under(self.media)), 2)

    def test_media_folder_under_a_regular_file(self):
        before = self.counts()
        with override_settings(MEDIA_ROOT=self.tmp / "a-file" / "media"):
            self.assert_refused(self.post_attachment(), before)
            self.assert_refused(self.post_funds(), before)

    def test_disk_full_leaves_no_partial_file(self):
        before = self.counts()
        with (
            override_settings(MEDIA_ROOT=self.media),
            mock.patch.object(FileSystemStorage, "_save", disk_full),
        ):
            self.assert_refused(self.post_attachment(), before)
            self.assert_refused(self.post_funds(), before)

    def test_the_funds_form_keeps_what_was_typed(self):
        with override_settings(MEDIA_ROOT=self.tmp / "a-file" / "media"):
            html = self.post_funds().content.decode()
        self.assertIn('value="1200"', html)
        self.assertIn(D(2024, 7, 18).isoformat(), html)


def enterprise_csv() -> bytes:
    row = {"统一社会信用代码": make_code(77), "企业名称": "存储故障测试有限公司", "开发区代码": "kashgar"}
    return write_table(HEADERS, [[row.get(h, "") for h in HEADERS]], "csv")


class ImportStashFaultTests(LedgerTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="jushi-stash-faults-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        (self.tmp / "a-file").write_text("not a folder")
        self.client.force_login(self.reviewer)

    def dry_run(self):
        return self.client.post(
            reverse("registry:enterprise_import"), {"file": SimpleUploadedFile("list.csv", enterprise_csv())}
        )

    def test_control_a_writable_folder_keeps_the_file_for_the_confirmation(self):
        with override_settings(UPLOAD_DIR=self.tmp / "uploads"):
            response = self.dry_run()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context.get("token"), "the dry run found problems: no control")
        self.assertEqual(len(files_under(self.tmp / "uploads")), 1)

    def test_upload_folder_under_a_regular_file(self):
        before = Enterprise.objects.count(), ChangeLog.objects.count()
        with override_settings(UPLOAD_DIR=self.tmp / "a-file" / "uploads"):
            response = self.dry_run()
        self.assertEqual(response.status_code, 507)
        self.assertIn(IMPORT_MESSAGE, response.content.decode())
        self.assertNotIn("Traceback", response.content.decode())
        self.assertEqual((Enterprise.objects.count(), ChangeLog.objects.count()), before)

    def test_disk_full_leaves_no_partial_file(self):
        folder = self.tmp / "uploads"

        def partial_then_full(path, data):
            with open(path, "wb") as handle:
                handle.write(data[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

        with (
            override_settings(UPLOAD_DIR=folder),
            mock.patch.object(Path, "write_bytes", partial_then_full),
        ):
            response = self.dry_run()
        self.assertEqual(response.status_code, 507)
        self.assertIn(IMPORT_MESSAGE, response.content.decode())
        self.assertEqual(files_under(folder), [])
