"""Starts bqemulator without its automatic time-travel snapshots.

bqemulator copies the whole table into a snapshot after every write, insertAll included, so
each streamed rating copies every row before it: memory and time grow with the square of the
table (14 GB and seconds per insert after a 100k-rating load). Reel never queries
FOR SYSTEM_TIME AS OF, so automatic snapshots are switched off; CREATE SNAPSHOT TABLE still works.
"""

import sys

from bqemulator.cli import main
from bqemulator.versioning.snapshots import SnapshotManager

_capture = SnapshotManager.capture


def _capture_user_snapshots_only(self, project_id, dataset_id, table_id, *, kind="AUTO"):
    if kind != "USER":
        return None
    return _capture(self, project_id, dataset_id, table_id, kind=kind)


SnapshotManager.capture = _capture_user_snapshots_only

if __name__ == "__main__":
    sys.argv[0] = "bqemulator"
    sys.exit(main())
