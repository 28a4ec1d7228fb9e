"""The tabulation's kept totals: a line per instruction and per account of each offer, in the
database, kept up to date as the data changes so that the tabulation adds them up in a few
grouped queries instead of recomputing 100,000 accounts after every write (issue 24).

Database triggers (migration 0053) note which (offer, account) a write touched, in the same
transaction as the write, whoever made it and however: services, the admin, a bulk import, raw
SQL. The next reader folds those notes in (`services.tally_fold`) by recomputing the lines of
just those accounts with the tabulation's own arithmetic (`tenders.domain.tabulation`), then
adds the lines up (`selectors`). `tenders.domain.tabulation.tabulate_rows` over the rows stays
the reference the tests hold the kept totals to.
"""
