"""The API as a WSGI application for a WSGI server: ``mistral.wsgi:application``.

The import path is Mistral's, so a deployment written for Mistral (``gunicorn
mistral.wsgi:application``, uWSGI's ``module = mistral.wsgi:application``, devstack's
``MISTRAL_USE_MOD_WSGI``-style set-ups) serves this API unchanged::

    MISTRAL_CONFIG_FILE=/etc/mistral/mistral.conf gunicorn -w 4 -b 0.0.0.0:8989 mistral.wsgi:application

Configuration is read as ``mistral-server`` reads it (the same option groups, the same
composition code in ``mistral.cmd.launch``): ``MISTRAL_CONFIG_FILE`` names one config
file and ``MISTRAL_CONFIG_DIR`` a directory of ``*.conf`` files (Mistral's variables);
without them oslo.config's default search applies (``~/.mistral/mistral.conf``,
``/etc/mistral/mistral.conf``, ...), exactly as for ``mistral-server`` started without
``--config-file``. The WSGI server's own command line is never parsed.

Only the API runs in the WSGI server's processes (each worker builds its own, as
``mistral-server --server api`` does); the engines and executors run as ``mistral-server
--server engine`` / ``--server executor`` and are reached over ``[DEFAULT]
transport_url``.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from oslo_config import cfg

LOG = logging.getLogger("mistral.wsgi")

CONFIG_FILE_ENV = "MISTRAL_CONFIG_FILE"
CONFIG_DIR_ENV = "MISTRAL_CONFIG_DIR"


def config_args(environ: dict[str, str] | None = None) -> list[str]:
    """The oslo.config arguments that ``MISTRAL_CONFIG_FILE`` / ``MISTRAL_CONFIG_DIR`` mean."""
    env = os.environ if environ is None else environ
    args: list[str] = []
    if env.get(CONFIG_FILE_ENV):
        args += ["--config-file", env[CONFIG_FILE_ENV]]
    if env.get(CONFIG_DIR_ENV):
        args += ["--config-dir", env[CONFIG_DIR_ENV]]
    return args


def init_application(environ: dict[str, str] | None = None) -> Callable[[dict, Callable[..., Any]], Iterable[bytes]]:
    """Read the configuration, start the API's share of the services and return its app.

    Raises ``mistral.exceptions.MistralError`` (one-line message) for a configuration a
    user can fix, like ``mistral-server`` does.
    """
    from oslo_log import log as oslo_logging

    from mistral import config
    from mistral import exceptions as exc
    from mistral.cmd import launch

    conf = cfg.ConfigOpts()
    oslo_logging.register_options(conf)
    try:
        config.parse_args(config_args(environ), conf=conf)
    except cfg.Error as e:
        raise exc.ConfigError(f"mistral.wsgi: {launch._one_line(e)}") from None
    launch._setup_logging(conf)
    if str(conf.transport_url or "").startswith("fake:"):
        LOG.warning("mistral.wsgi: [DEFAULT] transport_url is the in-process fake:/ transport; "
                    "no engine outside this process can be reached. Set it to the broker "
                    "the engines use.")
    launcher = launch.Launcher(conf, ["api"], serve_api=False)
    try:
        launcher.start()
    except BaseException:
        launcher.stop()
        raise
    if launcher.api_app is None:
        launcher.stop()
        raise exc.ConfigError("mistral.wsgi: the API is not available in this build")
    atexit.register(launcher.stop)
    LOG.info("mistral.wsgi: API application ready (pid %d)", os.getpid())
    return launcher.api_app


_lock = threading.Lock()
with _lock:
    application = init_application()
