"""The command line is a door too: its exports enter the audit chain like downloads (issue 13 point 7)."""

import io
import tempfile
from pathlib import Path

from django.core.management import call_command

from jushi.core.audit import verify
from jushi.core.choices import AuditKind
from jushi.core.models import AuditEvent
from jushi.core.testing import PersonaTestCase


class CliExportAuditTests(PersonaTestCase):
    def test_an_enterprise_export_from_the_command_line_is_recorded_with_its_zone(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "enterprises.xlsx"
            call_command(
                "export",
                "enterprises",
                str(path),
                "--user",
                "admin",
                "--zone",
                "kashgar",
                stdout=io.StringIO(),
            )
            assert path.exists()
        event = AuditEvent.objects.filter(kind=AuditKind.EXPORT).latest("seq")
        assert event.user_name == "admin"
        assert event.object_repr == "enterprises.xlsx"
        assert event.zone_id == self.kashgar.pk
        assert verify().ok
