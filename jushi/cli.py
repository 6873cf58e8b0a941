"""The `jushi` console command: Django's management commands behind one name.

`jushi import enterprises FILE`, `jushi export enterprises FILE`, `jushi demo`, and every Django
command (`jushi migrate`, `jushi check --deploy`, `jushi createsuperuser` ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jushi.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "jushi"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
