-- StudentRes Desktop: MySQL / MariaDB schema (InnoDB, utf8mb4). Safe to run twice.
--
--   mysql -u root -p studentres < db/schema.sql
--
-- `studentres-admin init-db` creates the same tables (and upgrades a database from the original
-- design by adding the new columns); tests/integration/test_schema.py keeps the two equal.
-- students_data and interest_resources keep the original columns and their meaning; the rest is
-- additive. Emails and tags use utf8mb4_bin: the app stores them normalised, and the default
-- accent-insensitive collation would treat "josé@…" and "jose@…" as one address.

CREATE TABLE IF NOT EXISTS students_data (
    id            INT          NOT NULL AUTO_INCREMENT,
    name          VARCHAR(100) NOT NULL,
    email         VARCHAR(254) COLLATE utf8mb4_bin NOT NULL,  -- trimmed and lower-cased
    password_hash VARCHAR(255) NOT NULL,
    interest      VARCHAR(64)  COLLATE utf8mb4_bin NULL,      -- the primary interest tag
    `role`        VARCHAR(16)  NOT NULL DEFAULT 'student',    -- student | advisor
    learning_goal VARCHAR(500) NULL,                          -- "What do you want to learn?"
    created_at    DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_students_data PRIMARY KEY (id),
    UNIQUE KEY uq_students_data_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS interests (
    tag         VARCHAR(64)   COLLATE utf8mb4_bin NOT NULL,
    label       VARCHAR(100)  NOT NULL,
    description VARCHAR(1000) NOT NULL DEFAULT '',
    position    INT           NOT NULL DEFAULT 0,
    CONSTRAINT pk_interests PRIMARY KEY (tag)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS student_interests (
    student_id   INT         NOT NULL,
    interest_tag VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    is_primary   BOOL        NOT NULL DEFAULT 0,
    CONSTRAINT pk_student_interests PRIMARY KEY (student_id, interest_tag),
    KEY ix_student_interests_interest_tag (interest_tag),
    CONSTRAINT fk_student_interests_student_id FOREIGN KEY (student_id)
        REFERENCES students_data (id) ON DELETE CASCADE,
    CONSTRAINT fk_student_interests_interest_tag FOREIGN KEY (interest_tag)
        REFERENCES interests (tag) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One resource per row when `kind` is set (the app writes these and also fills the cell of its
-- kind and interest_tag, so the original query still answers). A row written with only the
-- original columns has kind NULL and holds one item per non-empty workshop/training/event cell.
CREATE TABLE IF NOT EXISTS interest_resources (
    id           INT           NOT NULL AUTO_INCREMENT,
    interest_tag VARCHAR(64)   COLLATE utf8mb4_bin NULL,
    workshop     TEXT          NULL,
    training     TEXT          NULL,
    event        TEXT          NULL,
    kind         VARCHAR(16)   NULL,                          -- workshop | training | event
    title        VARCHAR(200)  NULL,
    description  MEDIUMTEXT    NULL,
    starts_at    DATETIME      NULL,
    ends_at      DATETIME      NULL,
    location     VARCHAR(200)  NULL,
    url          VARCHAR(2048) NULL,
    capacity     INT           NULL,
    updated_at   DATETIME      NULL,
    -- What the search finds, each word marked so that InnoDB indexes short words and stopwords
    -- too ("AI" is stored as "zzai"); the mark also tells the original cells apart.
    -- studentres_desktop/persistence/search_index.py explains it and holds the same text.
    -- (This is MariaDB's REGEXP_REPLACE; MySQL 8 writes the matched word as '$1', not '\\1'.)
    search_words MEDIUMTEXT AS (CASE WHEN kind IS NULL THEN CONCAT_WS(' ',
        REGEXP_REPLACE(workshop, '([\\p{L}\\p{N}_]+)', 'zw\\1'),
        REGEXP_REPLACE(training, '([\\p{L}\\p{N}_]+)', 'zt\\1'),
        REGEXP_REPLACE(event, '([\\p{L}\\p{N}_]+)', 'ze\\1'))
      ELSE REGEXP_REPLACE(CONCAT_WS(' ', title, description, location),
        '([\\p{L}\\p{N}_]+)', 'zz\\1') END) STORED,
    CONSTRAINT pk_interest_resources PRIMARY KEY (id),
    KEY ix_interest_resources_interest_tag (interest_tag),
    KEY ix_interest_resources_starts_at (starts_at),
    KEY ix_interest_resources_kind_interest_tag (kind, interest_tag),   -- finds original-style rows
    KEY ix_interest_resources_title (title),
    FULLTEXT KEY ft_interest_resources_search_words (search_words)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS resource_interests (
    resource_id  INT         NOT NULL,
    interest_tag VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    CONSTRAINT pk_resource_interests PRIMARY KEY (resource_id, interest_tag),
    KEY ix_resource_interests_interest_tag (interest_tag, resource_id),
    CONSTRAINT fk_resource_interests_resource_id FOREIGN KEY (resource_id)
        REFERENCES interest_resources (id) ON DELETE CASCADE,
    CONSTRAINT fk_resource_interests_interest_tag FOREIGN KEY (interest_tag)
        REFERENCES interests (tag) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed logins per normalised email (known or not), shared by every workstation.
CREATE TABLE IF NOT EXISTS login_throttle (
    email           VARCHAR(254) COLLATE utf8mb4_bin NOT NULL,
    failures        INT          NOT NULL,
    last_failure_at DATETIME     NOT NULL,
    CONSTRAINT pk_login_throttle PRIMARY KEY (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Sentence embeddings per resource item and model: float32 vectors, `chunks` rows of
-- `dimensions` values, and the SHA-256 of the text they were computed from.
CREATE TABLE IF NOT EXISTS resource_embeddings (
    resource_id INT          NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    model       VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
    text_hash   VARCHAR(64)  NOT NULL,
    dimensions  INT          NOT NULL,
    chunks      INT          NOT NULL,
    vectors     MEDIUMBLOB   NOT NULL,
    CONSTRAINT pk_resource_embeddings PRIMARY KEY (resource_id, kind, model),
    CONSTRAINT fk_resource_embeddings_resource_id FOREIGN KEY (resource_id)
        REFERENCES interest_resources (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS interest_embeddings (
    interest_tag VARCHAR(64)  COLLATE utf8mb4_bin NOT NULL,
    model        VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
    text_hash    VARCHAR(64)  NOT NULL,
    dimensions   INT          NOT NULL,
    vector       BLOB         NOT NULL,
    CONSTRAINT pk_interest_embeddings PRIMARY KEY (interest_tag, model),
    CONSTRAINT fk_interest_embeddings_interest_tag FOREIGN KEY (interest_tag)
        REFERENCES interests (tag) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS schema_meta (
    name  VARCHAR(64)  COLLATE utf8mb4_bin NOT NULL,
    value VARCHAR(255) NOT NULL,
    CONSTRAINT pk_schema_meta PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO schema_meta (name, value) VALUES ('schema_version', '1');
