"""The data version: one number the database's triggers bump in every transaction that writes
what the tabulation reads (`models`), and the cache that keeps figures and counts under it
(`cache`)."""
