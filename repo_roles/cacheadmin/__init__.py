"""What is in the cache root, and keeping it under a size cap.

``survey.py`` lists every cache under :func:`repo_roles.cachedir.user_cache_root` generically (a
top-level file and its SQLite side files, files of one name family, a sub-directory), with its
size, entries and last use, for ``repo-roles cache info|clear``; ``evict.py`` removes the least
recently used entries once the root is over the cap (``REPO_ROLES_CACHE_MAX_SIZE``).
"""
