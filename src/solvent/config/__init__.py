"""Project wiring: settings from the environment, URL routes, the API root, ASGI and WSGI entry points."""
