"""Settings of the deadline rush's server (bench/deadline_rush.py): the product's, plus the floor's URL.

Loaded with DJANGO_SETTINGS_MODULE=rush_settings and bench/ on PYTHONPATH. Everything is jushi.settings
(same middleware, same database set-up); only the URL conf adds the bench-only floor view, so the
product never carries the route.
"""

from jushi.settings import *  # noqa: F403

ROOT_URLCONF = "rush_urls"
