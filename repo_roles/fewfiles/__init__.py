"""A run on given files (``check FILES``, the pre-commit hook) without reading the whole path list.

``table.py``: the project's path list as git's names-only listing (the bytes git wrote this
run) plus the stored start offsets of the paths the configuration keeps, found by the
listing's digest: membership, ranges and "paths containing a name" by binary search and
``find`` in C, so a question costs the same on 10,000 and 200,000 files.  ``listing.py``: the
two git listings of one run (names, and records with object ids) and the records of the given
files, the symlinks and submodules, and a digest of every other record, all cut at C speed.
"""
