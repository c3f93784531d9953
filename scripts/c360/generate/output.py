"""Streaming Parquet output for raw and truth tables.

One ``ParquetWriter`` per file receives the data chunk by chunk, so memory
stays bounded whatever the dataset size.  Writes run on a background thread
(Arrow releases the GIL while encoding and compressing) so the next chunk is
generated while the previous one is written; a single writer thread keeps
the order of writes, and therefore the bytes, deterministic.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import TABLES, TRUTH_SCHEMAS

COMPRESSION = "zstd"
_STOP = object()


class DatasetWriter:
    """Writes ``raw/<source>/<table>.parquet`` and ``truth/<name>.parquet`` under ``root``."""

    def __init__(self, root: Path, queue_size: int = 8) -> None:
        self.root = root
        self.rows: dict[str, int] = {}
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._paths: dict[str, tuple[Path, pa.Schema]] = {}
        for table in TABLES:
            self._paths[table.qualified] = (root / "raw" / table.source / f"{table.name}.parquet", table.arrow_schema)
        for name, schema in TRUTH_SCHEMAS.items():
            self._paths[f"truth.{name}"] = (root / "truth" / f"{name}.parquet", schema)
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="parquet-writer", daemon=True)
        self._thread.start()

    def write(self, name: str, table: pa.Table) -> None:
        """Queue ``table`` for the file ``name`` (``source.table`` or ``truth.<name>``)."""
        if self._error is not None:
            raise RuntimeError("parquet writer failed") from self._error
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        self._queue.put((name, table))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is not None:
                continue
            name, table = item
            try:
                writer = self._writers.get(name)
                if writer is None:
                    path, schema = self._paths[name]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    writer = pq.ParquetWriter(path, schema, compression=COMPRESSION)
                    self._writers[name] = writer
                writer.write_table(table.cast(writer.schema))
            except BaseException as exc:  # surfaced to the caller by write() / close()
                self._error = exc

    def close(self) -> None:
        """Flush everything; create empty files for tables that received no rows."""
        self._queue.put(_STOP)
        self._thread.join()
        for name, (path, schema) in self._paths.items():
            if name not in self._writers and self._error is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._writers[name] = pq.ParquetWriter(path, schema, compression=COMPRESSION)
            self.rows.setdefault(name, 0)
        for writer in self._writers.values():
            writer.close()
        if self._error is not None:
            raise RuntimeError("parquet writer failed") from self._error

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.close()
        except RuntimeError:
            if exc_type is None:
                raise
