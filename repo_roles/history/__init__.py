"""Who actually knows each file: one streaming pass over git history, cached by commit id.

``reader`` runs the single ``git log`` and parses it as a stream; ``model`` holds the per-file
counts and computes the Degree of Authorship and truck factors; ``cache`` keeps the model by
commit id and extends it incrementally; ``identity`` maps authors to roster handles and teams;
``stage`` builds the whole thing for a scan (``ProjectContext.history``).
"""
