"""The `lupin` console script: Django's manage.py under the project's own name.

Commands may be spelt with dashes: `lupin import-ocds` runs the `import_ocds` command (Django
names a command after its module, which cannot hold a dash). Both spellings work.
"""

import os
import sys


def command_name(argv: list[str]) -> list[str]:
    """`argv` with a dashed command name (and `help`'s argument) spelt with underscores."""
    args = list(argv)
    position = 2 if len(args) > 2 and args[1] == "help" else 1
    if len(args) > position and not args[position].startswith("-"):
        args[position] = args[position].replace("-", "_")
    return args


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lupin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_name(sys.argv))


if __name__ == "__main__":
    main()
