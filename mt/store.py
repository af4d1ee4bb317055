"""SQLite result store: runs, documents and per-sentence records (schema versioned, WAL mode)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from mt.errors import InputError
from mt.io import make_dir
from mt.records import DocumentResult, PageRecord, SegmentTranslation
from mt.store_schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION


class Store:
    """A results database; one connection per Store, safe to reopen at any time."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(f"{self.path} is a directory, not a database file")
        make_dir(self.path.parent, "the database's folder")
        try:
            self.db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=60)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            version = self._version()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path} is not a usable SQLite database: {exc}") from None
        if version is None:
            with self.db:
                self.db.executescript(SCHEMA)
                self.db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        elif version in MIGRATIONS:
            with self.db:
                self.db.executescript(MIGRATIONS[version])
                self.db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        elif version != SCHEMA_VERSION:
            raise InputError(
                f"{self.path} has schema version {version}; this mt reads version {SCHEMA_VERSION}"
            )

    def _version(self) -> int | None:
        row = self.db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if row is None:
            return None
        value = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(value[0]) if value else None

    def close(self) -> None:
        self.db.close()

    def new_run(self, settings: dict[str, Any]) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (created, settings) VALUES (?, ?)",
                (time.time(), json.dumps(settings)),
            )
        return int(cur.lastrowid or 0)

    def add_result(self, run_id: int, doc: DocumentResult, *, key: str | None = None) -> int:
        """Store a pipeline result (see :meth:`add_document`); returns the document id."""
        return self.add_document(
            run_id,
            doc.name,
            sentences=doc.to_dict()["sentences"],
            metadata=doc.metadata,
            summary=doc.summary,
            key=key,
            page=doc.page,
        )

    def add_document(
        self,
        run_id: int,
        name: str,
        *,
        sentences: list[dict[str, Any]],
        metadata: str | None,
        summary: dict[str, Any],
        key: str | None = None,
        page: PageRecord | None = None,
    ) -> int:
        """Store a processed document and its sentences (and its page, for HTML) in one
        transaction."""
        with self.db:
            cur = self.db.execute(
                "INSERT INTO documents (run_id, key, name, status, metadata, summary, created) "
                "VALUES (?, ?, ?, 'done', ?, ?, ?)",
                (run_id, key, name, metadata, json.dumps(summary), time.time()),
            )
            doc_id = int(cur.lastrowid or 0)
            self.db.executemany(
                "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        doc_id,
                        s["index"],
                        s["paragraph"],
                        s["source"],
                        s["repaired"],
                        s["translation"],
                        s["reference"],
                        s["logprob"],
                        s["garble_score"],
                        s["quality"],
                        int(s["flagged"]),
                        json.dumps(s["reasons"], ensure_ascii=False),
                        json.dumps(s["flags"], ensure_ascii=False),
                        json.dumps(s["metrics"]),
                        json.dumps(s.get("unlikely", [])),
                    )
                    for s in sentences
                ],
            )
            if page is not None:
                self.db.execute(
                    "INSERT INTO pages VALUES (?, ?, ?, ?, ?)",
                    (
                        doc_id,
                        page.source,
                        page.translation,
                        json.dumps(page.tags, ensure_ascii=False),
                        json.dumps(page.warnings, ensure_ascii=False),
                    ),
                )
        return doc_id

    def page(self, document_id: int) -> PageRecord | None:
        """An HTML document's page (None: the document was plain text, or does not exist)."""
        row = self.db.execute(
            "SELECT source, translation, tags, warnings FROM pages WHERE document_id = ?",
            (document_id,),
        ).fetchone()
        if row is None:
            return None
        return PageRecord(row[0], row[1], json.loads(row[2]), json.loads(row[3]))

    def add_failure(self, run_id: int, name: str, error: str, key: str | None = None) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO documents (run_id, key, name, status, error, created) "
                "VALUES (?, ?, ?, 'failed', ?, ?)",
                (run_id, key, name, error, time.time()),
            )
        return int(cur.lastrowid or 0)

    def failures(self) -> list[dict[str, Any]]:
        """Documents committed as failed, oldest first: id, run, name, batch key and reason."""
        rows = self.db.execute(
            "SELECT id, run_id, name, key, error FROM documents WHERE status='failed' ORDER BY id"
        ).fetchall()
        return [dict(zip(("id", "run_id", "name", "key", "error"), r, strict=True)) for r in rows]

    def processed_keys(self) -> set[str]:
        """Keys of batch documents already done or failed."""
        return {r[0] for r in self.db.execute("SELECT key FROM documents WHERE key IS NOT NULL")}

    def stats(self) -> dict[str, int]:
        """Counts over the whole database."""
        one = lambda sql: int(self.db.execute(sql).fetchone()[0] or 0)  # noqa: E731
        return {
            "documents": self.document_count(),
            "done": one("SELECT COUNT(*) FROM documents WHERE status='done'"),
            "failed": one("SELECT COUNT(*) FROM documents WHERE status='failed'"),
            "pending": self._pending(),
            "sentences": one("SELECT COUNT(*) FROM sentences"),
            "flagged": one("SELECT COUNT(*) FROM sentences WHERE flagged=1"),
            "cached_segments": one("SELECT COUNT(*) FROM cache"),
            "cache_hits": one(
                "SELECT COALESCE(SUM(json_extract(summary, '$.cache_hits')), 0) FROM documents"
            ),
        }

    def _pending(self) -> int:
        """Batch documents not yet committed: each input's size (from its latest run) minus
        the documents committed under its keys."""
        latest: dict[str, int] = {}
        for (settings,) in self.db.execute("SELECT settings FROM runs ORDER BY id"):
            s = json.loads(settings)
            if "input_documents" in s:
                latest[s["input"]] = int(s["input_documents"])
        pending = 0
        for source, size in latest.items():
            prefix = source + "::"
            (committed,) = self.db.execute(
                "SELECT COUNT(*) FROM documents WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
            ).fetchone()
            pending += max(0, size - int(committed))
        return pending

    # ---------------------------------------------------------------- jobs

    def add_job(
        self,
        job_id: str,
        options: dict[str, Any],
        documents: list[tuple[str, str, str | None, str]],
    ) -> None:
        """Keep a job and its documents (name, text, reference, format), queued, in one
        transaction."""
        with self.db:
            self.db.execute(
                "INSERT INTO jobs (id, status, options, created) VALUES (?, 'queued', ?, ?)",
                (job_id, json.dumps(options), time.time()),
            )
            self.db.executemany(
                "INSERT INTO job_documents (job_id, idx, name, text, reference, format) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(job_id, k, *doc) for k, doc in enumerate(documents)],
            )

    def set_job(
        self, job_id: str, *, status: str, run_id: int | None = None, error: str | None = None
    ) -> None:
        """Move a job on: its status, and the run its documents go to once it has one."""
        with self.db:
            self.db.execute(
                "UPDATE jobs SET status=?, run_id=COALESCE(?, run_id), error=? WHERE id=?",
                (status, run_id, error, job_id),
            )

    def job(self, job_id: str) -> dict[str, Any] | None:
        """A job: its status, run, options, and the ids of its documents stored so far."""
        row = self.db.execute(
            "SELECT status, options, run_id, error FROM jobs WHERE id=?", (job_id,)
        ).fetchone()
        if row is None:
            return None
        stored = self.db.execute(
            "SELECT d.id, d.status FROM job_documents j JOIN documents d ON d.key = "
            "'job:' || j.job_id || ':' || j.idx WHERE j.job_id=? ORDER BY d.id",
            (job_id,),
        ).fetchall()
        (total,) = self.db.execute(
            "SELECT COUNT(*) FROM job_documents WHERE job_id=?", (job_id,)
        ).fetchone()
        return {
            "id": job_id,
            "status": row[0],
            "options": json.loads(row[1]),
            "run_id": row[2],
            "error": row[3],
            "documents": [doc_id for doc_id, _ in stored],
            "failed": sum(status == "failed" for _, status in stored),
            "total": int(total),
        }

    def unfinished_jobs(self) -> list[str]:
        """Jobs queued or running, oldest first: what a restarted server goes on with."""
        rows = self.db.execute(
            "SELECT id FROM jobs WHERE status IN ('queued', 'running') ORDER BY created"
        )
        return [r[0] for r in rows]

    def job_pending(self, job_id: str) -> list[tuple[int, str, str, str | None, str]]:
        """A job's documents not stored yet: (index, name, text, reference, format)."""
        rows = self.db.execute(
            "SELECT idx, name, text, reference, format FROM job_documents j WHERE job_id=? AND NOT "
            "EXISTS (SELECT 1 FROM documents d WHERE d.key = 'job:' || j.job_id || ':' || j.idx) "
            "ORDER BY idx",
            (job_id,),
        )
        return [(int(k), name, text, ref, kind) for k, name, text, ref, kind in rows]

    # ---------------------------------------------------------------- segment cache

    def get_many(self, settings: str, keys: list[str]) -> dict[str, SegmentTranslation]:
        """Cached translations of normalised segments (SegmentCache protocol)."""
        out: dict[str, SegmentTranslation] = {}
        for k in keys:
            row = self.db.execute(
                "SELECT translation, logprob, src_tokens, tgt_tokens, split_long, chunks, "
                "repetition_guard FROM cache WHERE settings=? AND text_hash=?",
                (settings, _hash(k)),
            ).fetchone()
            if row:
                out[k] = SegmentTranslation(
                    row[0], row[1], row[2], row[3], bool(row[4]), row[5], bool(row[6])
                )
        return out

    def put_many(self, settings: str, items: dict[str, SegmentTranslation]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO cache VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        settings,
                        _hash(k),
                        t.translation,
                        t.logprob,
                        t.src_tokens,
                        t.tgt_tokens,
                        int(t.split_long),
                        t.chunks,
                        int(t.repetition_guard),
                    )
                    for k, t in items.items()
                ],
            )

    def documents(self) -> list[dict[str, Any]]:
        """Every document's record (no sentences), oldest first."""
        rows = self.db.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents ORDER BY id")
        return [_document(r) for r in rows.fetchall()]

    def document(self, doc_id: int) -> dict[str, Any] | None:
        """One document's record (no sentences), or None when there is no such document."""
        row = self.db.execute(
            f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return _document(row) if row else None

    def document_count(self) -> int:
        """How many documents, done or failed."""
        return int(self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def sentences(self, document_id: int) -> list[dict[str, Any]]:
        cols = [
            "idx",
            "paragraph",
            "source",
            "repaired",
            "translation",
            "reference",
            "logprob",
            "garble_score",
            "quality",
            "flagged",
            "reasons",
            "flags",
            "metrics",
            "unlikely",
        ]
        rows = self.db.execute(
            f"SELECT {', '.join(cols)} FROM sentences WHERE document_id=? ORDER BY idx",
            (document_id,),
        ).fetchall()
        out = []
        for r in rows:
            rec = dict(zip(cols, r, strict=True))
            rec["flagged"] = bool(rec["flagged"])
            for key in ("reasons", "flags", "metrics", "unlikely"):
                rec[key] = json.loads(rec[key])
            out.append(rec)
        return out


_DOCUMENT_FIELDS = ("id", "run_id", "name", "status", "error", "metadata", "summary")
_DOCUMENT_COLUMNS = ", ".join(_DOCUMENT_FIELDS)


def _document(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_DOCUMENT_FIELDS, row, strict=True))
    record["summary"] = json.loads(record["summary"]) if record["summary"] else None
    return record


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def integrity(path: str | Path) -> list[str]:
    """SQLite's integrity check of the database at ``path``: an empty list when it is sound,
    else each problem. Works on a database too damaged for :class:`Store` to open."""
    try:
        with sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True) as db:
            rows = [str(r[0]) for r in db.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows
