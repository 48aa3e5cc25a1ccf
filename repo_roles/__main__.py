"""Allow ``python -m repo_roles``."""

from repo_roles.cli import main

if __name__ == "__main__":
    main()
