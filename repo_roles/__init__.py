"""repo-roles: who is responsible for each file, what kind of work it is, and is it documented and tested."""

__version__ = "0.1.0"
