"""``python -m simulcast``: the same as the ``simulcast`` command."""

from simulcast.cli import main

main()
