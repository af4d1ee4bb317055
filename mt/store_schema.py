"""The results database's tables, its schema version, and what brings older versions up to date."""

SCHEMA_VERSION = 4
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key TEXT UNIQUE,  -- input identity for batch jobs: each key is processed exactly once
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    metadata TEXT,
    summary TEXT,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sentences (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    idx INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    source TEXT NOT NULL,
    repaired TEXT NOT NULL,
    translation TEXT NOT NULL,
    reference TEXT,
    logprob REAL NOT NULL,
    garble_score REAL NOT NULL,
    quality REAL NOT NULL,
    flagged INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    flags TEXT NOT NULL,
    metrics TEXT NOT NULL,
    PRIMARY KEY (document_id, idx)
);
CREATE INDEX IF NOT EXISTS sentences_quality ON sentences(document_id, quality);
{jobs}
CREATE TABLE IF NOT EXISTS cache (
    settings TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    translation TEXT NOT NULL,
    logprob REAL NOT NULL,
    src_tokens INTEGER NOT NULL,
    tgt_tokens INTEGER NOT NULL,
    split_long INTEGER NOT NULL,
    chunks INTEGER NOT NULL,
    repetition_guard INTEGER NOT NULL,
    PRIMARY KEY (settings, text_hash)
);
"""


# Background jobs of the service, kept so that a restart finishes them: each job's documents are
# stored when the job is accepted, and each result under the key "job:ID:INDEX", exactly once.
_JOBS = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,  -- queued, running, done or failed
    options TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    error TEXT,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS job_documents (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    reference TEXT,
    PRIMARY KEY (job_id, idx)
);
"""
# An HTML document's page: its source, its translation with the markup carried over, and
# where each inline tag went (the dashboard shows the two pages side by side).
_PAGES = """
CREATE TABLE IF NOT EXISTS pages (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id),
    source TEXT NOT NULL,
    translation TEXT NOT NULL,
    tags TEXT NOT NULL,
    warnings TEXT NOT NULL
);
"""
# a job's document is text or an HTML page
_JOB_FORMAT = "ALTER TABLE job_documents ADD COLUMN format TEXT NOT NULL DEFAULT 'text';"
# the English spans the model found unlikely, in flagged sentences it blames (JSON pairs)
_UNLIKELY = "ALTER TABLE sentences ADD COLUMN unlikely TEXT NOT NULL DEFAULT '[]';"
SCHEMA = _SCHEMA.format(jobs=_JOBS) + _PAGES + _JOB_FORMAT + _UNLIKELY
# what brings a database of each older version up to date
MIGRATIONS = {
    1: _JOBS + _PAGES + _JOB_FORMAT + _UNLIKELY,
    2: _PAGES + _JOB_FORMAT + _UNLIKELY,
    3: _UNLIKELY,
}
