-- Foundation: people, sign-in, tokens, settings, skills, programmes and roles,
-- audit log, jobs and the email outbox. Times are Unix milliseconds (BIGINT) in
-- both dialects so that comparisons are plain integer comparisons.

CREATE TABLE people (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('invited', 'active')),
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,
    email_verified_at BIGINT,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    visibility TEXT NOT NULL,
    manager_id BLOB REFERENCES people(id) ON DELETE SET NULL,
    profile TEXT NOT NULL,
    search_text TEXT NOT NULL,
    notification_optouts TEXT NOT NULL DEFAULT '',
    last_active_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT people_email_key UNIQUE (email)
);
CREATE INDEX people_name_idx ON people (name);

CREATE TABLE login_sessions (
    id BLOB PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX login_sessions_person_idx ON login_sessions (person_id);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_person_idx ON api_tokens (person_id);

CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'invite')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE site_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE skills (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT skills_folded_key UNIQUE (folded)
);

CREATE TABLE programmes (
    id BLOB PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT programmes_slug_key UNIQUE (slug)
);

CREATE TABLE programme_roles (
    programme_id BLOB NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT programme_roles_pkey PRIMARY KEY (programme_id, person_id, role)
);
CREATE INDEX programme_roles_person_idx ON programme_roles (person_id);

CREATE TABLE audit_events (
    id BLOB PRIMARY KEY NOT NULL,
    actor_id BLOB,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_created_idx ON audit_events (created_at);

CREATE TABLE outbox (
    id BLOB PRIMARY KEY NOT NULL,
    person_id BLOB REFERENCES people(id) ON DELETE SET NULL,
    to_addr TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);

CREATE TABLE jobs (
    id BLOB PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    last_error TEXT,
    locked_until BIGINT,
    done_at BIGINT,
    failed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE done_at IS NULL AND failed_at IS NULL;
