-- StudentRes Desktop: MySQL / MariaDB schema (InnoDB, utf8mb4). Safe to run twice.
--
--   mysql -u studentres_owner -p studentres < db/schema.sql    (as the owner: see db/grants.sql)
--
-- For a new, empty database: it records the newest schema revision. An existing database is
-- upgraded with `studentres-admin upgrade-db` (docs/deployment.md).
-- `studentres-admin init-db` creates the same tables (through the migrations, and upgrades a
-- database from the original design by adding the new columns), triggers and login procedures;
-- tests/integration/test_schema.py and test_migrations.py keep the two equal.
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
    version      INT           NOT NULL DEFAULT 1,            -- raised by every edit in the app
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

-- Each item's distinct words with its row id and slot (0: an app row's title, description and
-- location; 1/2/3: the workshop/training/event cell of an original-style row), kept in step by
-- the three triggers below, plain SQL included: it makes multi-word searches and counting how
-- many items a word is in cheap. search_index.py explains it and holds the same text; init-db
-- creates the same table and triggers, replaces an outdated trigger and refills the table.
-- The triggers run as their DEFINER, the account that runs this file: use the owner.
-- Workstation accounts only read the table (db/grants.sql).
CREATE TABLE IF NOT EXISTS resource_words (
    word VARCHAR(84) NOT NULL,
    slot TINYINT NOT NULL,
    resource_id INTEGER NOT NULL,
    PRIMARY KEY (slot, word, resource_id),
    KEY ix_resource_words_resource (resource_id, slot, word)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DELIMITER //
CREATE TRIGGER IF NOT EXISTS trg_resource_words_insert AFTER INSERT ON interest_resources FOR EACH ROW
INSERT IGNORE INTO resource_words (word, slot, resource_id)
    SELECT LEFT(j.word, 84), 0, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(CONCAT_WS(' ', NEW.title, NEW.description, NEW.location), '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NOT NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 1, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(NEW.workshop, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 2, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(NEW.training, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 3, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(NEW.event, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NULL AND j.word <> '' //

CREATE TRIGGER IF NOT EXISTS trg_resource_words_update AFTER UPDATE ON interest_resources FOR EACH ROW
IF NOT (OLD.id <=> NEW.id) OR NOT (OLD.kind <=> NEW.kind) OR NOT (OLD.title <=> NEW.title) OR NOT (OLD.description <=> NEW.description) OR NOT (OLD.location <=> NEW.location) OR NOT (OLD.workshop <=> NEW.workshop) OR NOT (OLD.training <=> NEW.training) OR NOT (OLD.event <=> NEW.event) THEN
  DELETE FROM resource_words WHERE resource_id = OLD.id;
  INSERT IGNORE INTO resource_words (word, slot, resource_id)
    SELECT LEFT(j.word, 84), 0, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(CONCAT_WS(' ', NEW.title, NEW.description, NEW.location), '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NOT NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 1, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(NEW.workshop, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 2, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(NEW.training, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 3, NEW.id FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(NEW.event, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE NEW.kind IS NULL AND j.word <> '';
END IF //

CREATE TRIGGER IF NOT EXISTS trg_resource_words_delete AFTER DELETE ON interest_resources FOR EACH ROW
DELETE FROM resource_words WHERE resource_id = OLD.id //
DELIMITER ;
-- The words of rows written before the triggers existed (a no-op on a new database).
INSERT IGNORE INTO resource_words (word, slot, resource_id)
    SELECT LEFT(j.word, 84), 0, r.id FROM interest_resources AS r, JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(CONCAT_WS(' ', r.title, r.description, r.location), '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE r.kind IS NOT NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 1, r.id FROM interest_resources AS r, JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(r.workshop, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE r.kind IS NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 2, r.id FROM interest_resources AS r, JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(r.training, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE r.kind IS NULL AND j.word <> ''
    UNION ALL SELECT LEFT(j.word, 84), 3, r.id FROM interest_resources AS r, JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(r.event, '[^\\p{L}\\p{N}_]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word TEXT PATH '$')) AS j WHERE r.kind IS NULL AND j.word <> '';

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
    last_failure_at DATETIME(6)  NOT NULL,                    -- to the microsecond
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

-- A student's saved resources. No foreign key to interest_resources: an entry outlives its
-- resource and is shown as "removed" with the last known title and times.
CREATE TABLE IF NOT EXISTS saved_resources (
    student_id  INT          NOT NULL,
    resource_id INT          NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    title       VARCHAR(200) NOT NULL,
    starts_at   DATETIME     NULL,
    ends_at     DATETIME     NULL,
    saved_at    DATETIME(6)  NOT NULL,
    removed_at  DATETIME     NULL,
    CONSTRAINT pk_saved_resources PRIMARY KEY (student_id, resource_id, kind),
    KEY ix_saved_resources_resource_id_kind (resource_id, kind),
    CONSTRAINT fk_saved_resources_student_id FOREIGN KEY (student_id)
        REFERENCES students_data (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- RSVPs: going, or waitlisted in waitlist_seq order (a position is the rank among the
-- waitlisted, so the order never has gaps). Changed under a row lock on the resource.
CREATE TABLE IF NOT EXISTS rsvps (
    resource_id  INT         NOT NULL,
    kind         VARCHAR(16) NOT NULL,
    student_id   INT         NOT NULL,
    status       VARCHAR(16) NOT NULL,                        -- going | waitlisted
    waitlist_seq INT         NULL,
    created_at   DATETIME(6) NOT NULL,
    CONSTRAINT pk_rsvps PRIMARY KEY (resource_id, kind, student_id),
    KEY ix_rsvps_student_id (student_id),
    UNIQUE KEY uq_rsvps_resource_id_kind_waitlist_seq (resource_id, kind, waitlist_seq),
    CONSTRAINT fk_rsvps_resource_id FOREIGN KEY (resource_id)
        REFERENCES interest_resources (id) ON DELETE CASCADE,
    CONSTRAINT fk_rsvps_student_id FOREIGN KEY (student_id)
        REFERENCES students_data (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What advisors (and studentres-admin, advisor_id NULL) changed: values before and after as
-- JSON, written in the same transaction as the change.
CREATE TABLE IF NOT EXISTS audit_log (
    id             INT          NOT NULL AUTO_INCREMENT,
    occurred_at    DATETIME(6)  NOT NULL,                     -- UTC
    advisor_id     INT          NULL,
    advisor_email  VARCHAR(254) NOT NULL,
    action         VARCHAR(32)  NOT NULL,
    resource_id    INT          NULL,
    resource_kind  VARCHAR(16)  NULL,
    resource_title VARCHAR(200) NULL,
    before_values  MEDIUMTEXT   NULL,
    after_values   MEDIUMTEXT   NULL,
    detail         VARCHAR(500) NOT NULL,
    CONSTRAINT pk_audit_log PRIMARY KEY (id),
    KEY ix_audit_log_occurred_at (occurred_at),
    KEY ix_audit_log_action_occurred_at (action, occurred_at),
    KEY ix_audit_log_advisor_id_occurred_at (advisor_id, occurred_at),
    KEY ix_audit_log_resource_id (resource_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per resource whose RSVPs changed; every RSVP change bumps it, so that two changes on
-- different Galera nodes write the same row and only one of them passes certification.
CREATE TABLE IF NOT EXISTS resource_locks (
    resource_id INT NOT NULL,
    changes     INT NOT NULL,
    CONSTRAINT pk_resource_locks PRIMARY KEY (resource_id),
    CONSTRAINT fk_resource_locks_resource_id FOREIGN KEY (resource_id)
        REFERENCES interest_resources (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The id of every committed write, stored in its transaction: a write run again after a lost
-- COMMIT acknowledgement finds its id and is not applied twice. Rows older than a day are pruned.
CREATE TABLE IF NOT EXISTS applied_operations (
    op_id      VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
    applied_at DATETIME    NOT NULL,                          -- UTC
    CONSTRAINT pk_applied_operations PRIMARY KEY (op_id),
    KEY ix_applied_operations_applied_at (applied_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO schema_meta (name, value) VALUES ('schema_version', '1');

-- The schema revision (studentres_desktop/persistence/migrations/); this file is the newest one.
-- `studentres-admin upgrade-db` applies the migrations after it to a database made from here.
CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO alembic_version (version_num)
    SELECT '0003_rerun_safety' FROM DUAL
    WHERE NOT EXISTS (SELECT 1 FROM alembic_version);

-- Login, registration and password change run through these SQL SECURITY DEFINER procedures:
-- workstation accounts can neither read password_hash nor touch login_throttle (db/grants.sql).
-- The account that runs this file (or `studentres-admin init-db`) becomes their DEFINER: use
-- the owner account, and keep it. persistence/procedures.py explains them; `init-db` also
-- replaces outdated ones, which this file, safe to run twice, leaves as they are.
DELIMITER //
CREATE PROCEDURE IF NOT EXISTS sr_throttle_wait(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    OUT p_wait INT,
    OUT p_now DATETIME(6)
)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'StudentRes (internal): seconds this email waits before the next login try'
BEGIN
    DECLARE v_failures INT;
    DECLARE v_last DATETIME(6);
    SET p_now = TIMESTAMPADD(MICROSECOND, FLOOR(UNIX_TIMESTAMP(SYSDATE(6)) * 1000000),
                             '1970-01-01 00:00:00');
    SELECT MAX(failures), MAX(last_failure_at) INTO v_failures, v_last
        FROM login_throttle WHERE email = p_email;
    IF v_failures IS NOT NULL THEN
        SELECT MAX(failures), MAX(last_failure_at) INTO v_failures, v_last
            FROM login_throttle WHERE email = p_email FOR UPDATE;
    END IF;
    SET p_wait = 0;
    IF v_failures >= 5 THEN
        SET p_wait = CEIL(
            LEAST(2 << LEAST(v_failures - 5, 20),
                  300)
            - TIMESTAMPDIFF(MICROSECOND, v_last, p_now) / 1000000);
        IF p_wait < 0 THEN
            SET p_wait = 0;
        END IF;
    END IF;
END //

CREATE PROCEDURE IF NOT EXISTS sr_check_proof(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_proof VARCHAR(255) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_student_id INT,
    OUT p_role VARCHAR(16) CHARSET utf8mb4
)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'StudentRes (internal): compare a proof with the stored hash, count the try'
BEGIN
    DECLARE v_now DATETIME(6);
    DECLARE v_hash VARCHAR(255) CHARSET utf8mb4;
    SET p_student_id = NULL, p_role = NULL;
    CALL sr_throttle_wait(p_email, p_retry_after, v_now);
    IF p_retry_after = 0 THEN
        SELECT MAX(id), MAX(`role`), MAX(password_hash) INTO p_student_id, p_role, v_hash
            FROM students_data WHERE email = p_email;
        IF CHAR_LENGTH(v_hash) >= 60 AND p_proof IS NOT NULL
                AND CAST(v_hash AS BINARY) = CAST(p_proof AS BINARY) THEN
            IF EXISTS (SELECT 1 FROM login_throttle WHERE email = p_email) THEN
                DELETE FROM login_throttle WHERE email = p_email;
            END IF;
        ELSE
            SET p_student_id = NULL, p_role = NULL;
            INSERT INTO login_throttle (email, failures, last_failure_at)
                VALUES (p_email, 1, v_now)
                ON DUPLICATE KEY UPDATE failures = failures + 1, last_failure_at = v_now;
        END IF;
    END IF;
END //

CREATE PROCEDURE IF NOT EXISTS sr_login_challenge(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_setting VARCHAR(255) CHARSET utf8mb4
)
    READS SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: the salt and cost of one account''s hash, or how long to wait'
BEGIN
    DECLARE v_now DATETIME(6);
    SET p_setting = NULL;
    CALL sr_throttle_wait(p_email, p_retry_after, v_now);
    IF p_retry_after = 0 THEN
        SELECT MAX(IF(CHAR_LENGTH(password_hash) > 31 + 28,
                      LEFT(password_hash, CHAR_LENGTH(password_hash) - 31),
                      NULL))
            INTO p_setting FROM students_data WHERE email = p_email;
    END IF;
END //

CREATE PROCEDURE IF NOT EXISTS sr_login_attempt(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_proof VARCHAR(255) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_student_id INT,
    OUT p_role VARCHAR(16) CHARSET utf8mb4
)
    MODIFIES SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: log in with a proof; counts failures and applies the throttle'
BEGIN
    CALL sr_check_proof(p_email, p_proof, p_retry_after, p_student_id, p_role);
END //

CREATE PROCEDURE IF NOT EXISTS sr_change_password(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_proof VARCHAR(255) CHARSET utf8mb4,
    IN p_new_hash VARCHAR(255) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_student_id INT
)
    MODIFIES SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: store a new hash for whoever proves the current password'
BEGIN
    DECLARE v_role VARCHAR(16) CHARSET utf8mb4;
    CALL sr_check_proof(p_email, p_proof, p_retry_after, p_student_id, v_role);
    IF p_student_id IS NOT NULL THEN
        UPDATE students_data SET password_hash = p_new_hash WHERE id = p_student_id;
    END IF;
END //

CREATE PROCEDURE IF NOT EXISTS sr_register(
    IN p_name VARCHAR(100) CHARSET utf8mb4,
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_password_hash VARCHAR(255) CHARSET utf8mb4,
    OUT p_student_id INT
)
    MODIFIES SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: register a student account (a taken email fails with error 1062)'
BEGIN
    INSERT INTO students_data (name, email, password_hash)
        VALUES (p_name, p_email, p_password_hash);
    SET p_student_id = LAST_INSERT_ID();
END //
DELIMITER ;
