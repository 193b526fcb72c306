"""gunicorn settings for the `web` process (Procfile). Read automatically from the working directory."""
import os

# A deployment is production unless it says otherwise: the app then refuses weak or missing
# settings instead of quietly serving the development pages on the development keys.
os.environ.setdefault("VOICE_ENV", "production")

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Load the app (and the analysis models) once in the master, then fork: the first free-text
# answer in each worker no longer waits seconds for scikit-learn to import.
preload_app = True
# Access logs would carry private-link paths; the app's own logs carry ids only.
accesslog = None
timeout = 30
# Idle keep-alive connections stay open 5 s (gunicorn's default is 2): a person's pause between two
# pages is often longer than 2 s, and a request sent on a connection the server is closing is reset.
keepalive = 5
graceful_timeout = 20


def when_ready(server):
    """In the master, after the app is loaded and before the workers are forked."""
    from voice_service.warm_up import warm_up

    warm_up(server.app.wsgi())
