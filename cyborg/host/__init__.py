"""Host a challenge: the submission server, its database, the leak audit and a Codabench bundle.

``python -m cyborg.host --help`` lists the commands. Everything here imports
FastAPI, SQLAlchemy and Alembic (the ``host`` extra); the core ``import cyborg``
never does.
"""
