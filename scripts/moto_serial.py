"""moto in server mode on loopback, applying one request at a time, with injected conflicts.

moto's in-memory backends are not safe for concurrent writes to one item (two concurrent
UpdateItem ADDs can lose one), while DynamoDB's single-item writes are atomic. Connections are
still accepted concurrently (a thread each), but requests are applied one after the other, so
tests that fire many concurrent requests see the semantics of the real service.

Serialized, moto never answers what real DynamoDB answers when two transactions touch one item
at once: a TransactionCanceledException whose reasons hold a TransactionConflict. A test can
ask for that: POST /_faults/transact-conflicts with {"table": NAME, "fraction": F, "seed": S}
makes a fraction F (a seeded, reproducible draw) of the TransactWriteItems calls that write to
table NAME fail that way, without applying anything; GET /_faults/transact-conflicts?table=NAME
answers {"calls": N, "conflicts": M} (every TransactWriteItems call on the table, and the
conflicts injected). Other tables are never touched.

Usage: python moto_serial.py PORT
"""

import json
import os
import random
import sys
import threading
import time
import urllib.parse
from io import BytesIO

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

FAULTS_PATH = "/_faults/transact-conflicts"
TRANSACT_WRITE = "DynamoDB_20120810.TransactWriteItems"

moto_app = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()
# table -> {"fraction", "rng", "calls", "conflicts"}; only touched under one_at_a_time.
faults = {}


def respond(start_response, status, body, content_type="application/json"):
    data = json.dumps(body).encode()
    start_response(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(data))),
            ("x-amzn-RequestId", "stackcraft-fault-%d" % time.monotonic_ns()),
        ],
    )
    return [data]


def read_body(environ):
    """The request body, put back so moto can read it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = BytesIO(body)
    return body


def faults_api(environ, start_response):
    if environ["REQUEST_METHOD"] == "POST":
        spec = json.loads(read_body(environ) or b"{}")
        faults[spec["table"]] = {
            "fraction": float(spec["fraction"]),
            "rng": random.Random(spec.get("seed", 0)),
            "calls": 0,
            "conflicts": 0,
        }
        return respond(start_response, "200 OK", {"table": spec["table"]})
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    table = faults.get(query.get("table", [""])[0])
    if table is None:
        return respond(start_response, "404 Not Found", {"error": "no faults for that table"})
    return respond(
        start_response, "200 OK", {"calls": table["calls"], "conflicts": table["conflicts"]}
    )


def item_table(item):
    for kind in ("Put", "Update", "Delete", "ConditionCheck"):
        if kind in item:
            return item[kind].get("TableName")
    return None


def injected_conflict(environ, start_response):
    """A TransactionConflict cancellation as DynamoDB writes it (one reason per item, the
    conflicting one on the last item: a shared counter, where real contention happens), or
    None to let moto apply the request."""
    if environ.get("HTTP_X_AMZ_TARGET") != TRANSACT_WRITE or not faults:
        return None
    items = json.loads(read_body(environ) or b"{}").get("TransactItems", [])
    tables = {item_table(i) for i in items}
    table = next((faults[t] for t in tables if t in faults), None)
    if table is None:
        return None
    table["calls"] += 1
    if table["rng"].random() >= table["fraction"]:
        return None
    table["conflicts"] += 1
    reasons = [{"Code": "None"} for _ in items[:-1]]
    reasons.append({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"})
    codes = ", ".join(r["Code"] for r in reasons)
    return respond(
        start_response,
        "400 Bad Request",
        {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"
            % codes,
            "CancellationReasons": reasons,
        },
        content_type="application/x-amz-json-1.0",
    )


def serial_app(environ, start_response):
    with one_at_a_time:
        if environ.get("PATH_INFO") == FAULTS_PATH:
            return faults_api(environ, start_response)
        conflict = injected_conflict(environ, start_response)
        if conflict is not None:
            return conflict
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
