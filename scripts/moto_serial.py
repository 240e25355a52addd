"""moto in server mode on loopback, applying one request at a time.

moto's in-memory backends are not safe for concurrent writes to one item (two concurrent
UpdateItem ADDs can lose one), while DynamoDB's single-item writes are atomic. Connections are
still accepted concurrently (a thread each), but requests are applied one after the other, so
tests that fire many concurrent requests see the semantics of the real service.

Usage: python moto_serial.py PORT
"""

import os
import sys
import threading
import time

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

moto_app = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def serial_app(environ, start_response):
    with one_at_a_time:
        # moto builds whole responses; materialise them inside the lock all the same.
        return list(moto_app(environ, start_response))


def exit_with_parent():
    """The test process that started this server may end without stopping it (a Rust static
    is never dropped): follow it, so no server outlives its test run."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


if __name__ == "__main__":
    threading.Thread(target=exit_with_parent, daemon=True).start()
    run_simple(
        "127.0.0.1",
        int(sys.argv[1]),
        serial_app,
        threaded=True,
        request_handler=MotoRequestHandler,
    )
