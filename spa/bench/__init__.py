"""`manage.py bench`: every staff page and write timed against a floor, on this database."""
