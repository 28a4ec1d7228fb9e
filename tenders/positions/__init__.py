"""The positions feed: a firm's CSV of client accounts and the Old Notes each holds, read and
checked line by line (`rows`), previewed and imported whole (`services`, with `bulk` writes and
their audit trail), in the admin (`admin`) and by `manage.py import_positions`."""
