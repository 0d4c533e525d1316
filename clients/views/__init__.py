"""Client pages: the staff's (staff.py) and the client's own intake link (intake_link.py)."""
