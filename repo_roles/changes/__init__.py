"""What a change touched, line by line: one ``git diff`` read (:mod:`.diff`) and the filter
modes that keep the findings on it (:mod:`.filter`, reviewdog's ``added``, ``diff_context``,
``file`` and ``nofilter``)."""
