"""Starts bqemulator with three changes that keep it whole under Reel's tests and benches.

1. No automatic time-travel snapshots. bqemulator copies the whole table into a snapshot after
   every write, so each streamed rating copies every row before it: memory and time grow with
   the square of the table (14 GB and seconds per insert after a 100k-rating load). Reel never
   queries FOR SYSTEM_TIME AS OF; CREATE SNAPSHOT TABLE still works.
2. AppendRows' DuckDB work runs on the event loop's thread. bqemulator serves REST and the
   unary RPCs on its event loop but the AppendRows stream on a worker thread, and all of them
   use one DuckDB connection: a REST query on the loop and an append's INSERT on a worker, at
   the same time, deadlocked the whole emulator (py-spy: the loop thread and a worker both
   inside DuckDB's execute, never returning), so every later request hung.
3. The gRPC server has threads of its own. An open AppendRows stream holds a thread for its
   whole life, and by default the server borrows the event loop's executor (6 threads on 2
   cores): with six streams open (one per function instance or test), no further RPC started.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
import functools
import sys

import grpc
from bqemulator.cli import main
from bqemulator.grpc_api.write_servicer import BigQueryWriteHandler
from bqemulator.versioning.snapshots import SnapshotManager

_capture = SnapshotManager.capture


def _capture_user_snapshots_only(self, project_id, dataset_id, table_id, *, kind="AUTO"):
    if kind != "USER":
        return None
    return _capture(self, project_id, dataset_id, table_id, kind=kind)


SnapshotManager.capture = _capture_user_snapshots_only

_init_write_handler = BigQueryWriteHandler.__init__


def _init_on_loop(self, *args, **kwargs):
    _init_write_handler(self, *args, **kwargs)
    self._reel_loop = asyncio.get_running_loop()


def _on_event_loop(method):
    @functools.wraps(method)
    def run_on_loop(self, *args, **kwargs):
        async def call():
            return method(self, *args, **kwargs)

        return asyncio.run_coroutine_threadsafe(call(), self._reel_loop).result()

    return run_on_loop


BigQueryWriteHandler.__init__ = _init_on_loop
# The two steps of AppendRows that reach the catalog or the table, called only from AppendRows'
# worker thread (the stream itself stays there, where it waits for the client's next message).
for _name in (
    "_bind_stream_to_target",
    "_perform_append",
):
    setattr(BigQueryWriteHandler, _name, _on_event_loop(getattr(BigQueryWriteHandler, _name)))

_aio_server = grpc.aio.server


def _server_with_own_threads(*args, **kwargs):
    kwargs.setdefault(
        "migration_thread_pool",
        ThreadPoolExecutor(max_workers=256, thread_name_prefix="bqemulator-grpc"),
    )
    return _aio_server(*args, **kwargs)


grpc.aio.server = _server_with_own_threads

if __name__ == "__main__":
    sys.argv[0] = "bqemulator"
    sys.exit(main())
