from __future__ import annotations

from django.urls import path

from treatments.views import calendar, dashboard, series, sessions, today

urlpatterns = [
    path("", today.today, name="today"),
    # The manager's review of every series.
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard.dashboard_export, name="dashboard_export"),
    # The calendar, and each esthetician's feed for their phone's calendar.
    path("calendar/", calendar.calendar, name="calendar"),
    # A session dragged on the calendar to another time or esthetician.
    path("calendar/sessions/<int:pk>/move/", calendar.calendar_move, name="calendar_move"),
    path("calendar/feed/", calendar.calendar_subscription, name="calendar_subscription"),
    path(
        "calendar/feed/off/", calendar.calendar_subscription_off, name="calendar_subscription_off"
    ),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    # Planning and following a series.
    path("series/new/", series.series_new, name="series_new"),
    path("series/new/clients/", series.series_client_search, name="series_client_search"),
    path("series/<int:pk>/", series.series_detail, name="series_detail"),
    path("series/<int:pk>/home-care/", series.series_home_care, name="series_home_care"),
    # Single sessions and what happens at the visit.
    path("sessions/new/", sessions.session_new, name="session_new"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/reschedule/", sessions.session_reschedule, name="session_reschedule"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/no-show/", sessions.session_no_show, name="session_no_show"),
    path("sessions/<int:pk>/check-in/", sessions.session_check_in, name="session_check_in"),
    path("sessions/<int:pk>/complete/", sessions.session_complete, name="session_complete"),
]
