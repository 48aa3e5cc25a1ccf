"""Allow ``python -m repo_roles``."""

from repo_roles.cli import run

if __name__ == "__main__":
    run()
