"""``python -m cyborg.host``: the organizers' commands (:mod:`cyborg.host.cli`)."""

from cyborg.host.cli import main

if __name__ == "__main__":
    main()
