"""Django's own date formats (the admin's columns and read-only fields), set to the office's
style (`exchange_office.formatting`): "Sep 5, 2001", "Sep 5, 2001, 10:00:00 a.m. EDT"."""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, g:i:s a T"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, g:i a T"
TIME_FORMAT = "g:i:s a"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
