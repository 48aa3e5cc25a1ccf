"""A run on given files (``check FILES``, the pre-commit hook) without reading the whole path list.

``table.py``: the project's path list as git's names-only listing (the bytes git wrote this
run) plus the stored offsets, lengths and rows of the paths the configuration keeps, found by
the listing's digest: membership, ranges and "paths containing a name" by binary search and
``find`` in C, so a question costs the same on 10,000 and 200,000 files.  ``listing.py``: the
two git listings of one run (names, and records with object ids) and, read where they sit,
the records of the given files, of symlinks and submodules, and of the files test evidence
reads (its key's digest), with no per-file Python work over the listing.
"""
