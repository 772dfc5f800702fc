"""The `lupin` console script: Django's manage.py under the project's own name.

Commands may be spelt with dashes: `lupin import-ocds` runs the `import_ocds` command (Django
names a command after its module, which cannot hold a dash). Both spellings work.

`lupin import-ocds` runs without loading Django (`lupin.opendata.import_cli` says why), unless
other settings are asked for (`--settings`, `--pythonpath` or DJANGO_SETTINGS_MODULE): those
could name another database, so Django reads them and runs the same import as a command.
"""

import os
import sys

SETTINGS = "lupin.settings"


def command_name(argv: list[str]) -> list[str]:
    """`argv` with a dashed command name (and `help`'s argument) spelt with underscores."""
    args = list(argv)
    position = 2 if len(args) > 2 and args[1] == "help" else 1
    if len(args) > position and not args[position].startswith("-"):
        args[position] = args[position].replace("-", "_")
    return args


def runs_without_django(args: list[str]) -> bool:
    """Whether `args` (spelt by `command_name`) ask for the import that needs no Django."""
    if len(args) < 2 or args[1] != "import_ocds":
        return False
    if os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS) != SETTINGS:
        return False
    return not any(arg.startswith(("--settings", "--pythonpath")) for arg in args[2:])


def main() -> None:
    args = command_name(sys.argv)
    if runs_without_django(args):
        from lupin.opendata import import_cli

        sys.exit(import_cli.main(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as error:
        # A setting is missing or wrong: say which, without a page of traceback.
        print(f"ImproperlyConfigured: {error}", file=sys.stderr)
        if "LUPIN_DEBUG=0" in str(error):
            print(
                "Production settings are the default. On a developer's machine, set "
                "LUPIN_DEBUG=1 (make run and make test do); see .env.example.",
                file=sys.stderr,
            )
        sys.exit(1)


if __name__ == "__main__":
    main()
