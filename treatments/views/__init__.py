"""Staff screens: today.py, calendar.py, series.py, sessions.py."""
