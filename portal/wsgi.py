import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from portal.env import exit_on_configuration_error

# gunicorn's "application failed to load": loaded in a worker (no --preload), the master then
# stops instead of restarting workers that can only fail the same way.
APP_LOAD_ERROR = 4

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
try:
    application = get_wsgi_application()

    from portal.checks import refuse_unsafe_configuration  # needs Django set up

    refuse_unsafe_configuration()
except ImproperlyConfigured as error:
    # At start-up every refusal is a configuration problem its message explains; a traceback
    # in the server's log would only hide it.
    exit_on_configuration_error(error, status=APP_LOAD_ERROR)
