"""The books (issue 23, docs/ledger.md): a double-entry stock record and cash ledger. Its rows
(`models`) are written only by `services.entries_post` and `services.entry_reverse`, read by
`selectors`, and shown read-only in the admin (`admin`), where an entry can be reversed."""
