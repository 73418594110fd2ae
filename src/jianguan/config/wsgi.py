import os

from django.core.wsgi import get_wsgi_application

from jianguan.complaints.classifier import warm

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.config.settings")
application = get_wsgi_application()
# The complaint classifier's models and the word segmenter's dictionary take seconds to load: they
# are loaded as the server starts (gunicorn: once, in the master, before its workers fork), not in
# the first citizen's filing.
warm()
