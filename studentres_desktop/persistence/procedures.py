"""Stored procedures that keep password hashes and the login throttle on a MySQL/MariaDB server.

Workstation accounts (`app`, `advisor`; see db/grants.sql) cannot read `password_hash` or touch
`login_throttle`. They log in through these `SQL SECURITY DEFINER` procedures, which run with the
rights of the account that installed the schema:

- `sr_login_challenge(email)` gives the salt and cost of one account's hash (never the hash),
  or how long that email must wait;
- the app computes bcrypt of the password with that salt, its *proof*, and
  `sr_login_attempt(email, proof)` compares it with the stored hash on the server, counts a
  failure or clears the count, and answers with the account's id and role;
- `sr_change_password` does the same and then stores a new hash; `sr_register` adds a student.

So a stolen workstation credential cannot dump hashes, cannot try passwords faster than the
throttle, and cannot move the throttle's clock: it reads SYSDATE(), which `SET timestamp` leaves
alone. The policy below is the one `ThrottlePolicy()` applies in the app on SQLite (a test keeps
them equal). `sr_throttle_wait` and `sr_check_proof` are SQL SECURITY INVOKER helpers: called
directly by a workstation account they run with its rights and fail.

db/schema.sql holds the same procedures; tests/integration/test_schema.py keeps them equal.
Every routine in the database is executable by both workstation accounts (db/grants.sql grants
EXECUTE on the database, which survives the procedures being replaced on upgrade), so a new
routine must be safe for a workstation to call.
"""

from __future__ import annotations

from dataclasses import dataclass

# The throttle policy on the server: the same numbers as ThrottlePolicy() in the app.
FREE_FAILURES = 5
BASE_DELAY_SECONDS = 2
MAX_DELAY_SECONDS = 300

# bcrypt's output ends with 31 characters of digest; what comes before is cost and salt.
BCRYPT_DIGEST_CHARS = 31


@dataclass(frozen=True)
class Procedure:
    name: str
    signature: str  # parameters and characteristics, between the name and the body
    body: str  # BEGIN … END, exactly as the server stores it

    def create_statement(self, *, if_not_exists: bool = False) -> str:
        guard = "IF NOT EXISTS " if if_not_exists else ""
        return f"CREATE PROCEDURE {guard}{self.name}{self.signature}\n{self.body}"


# No comments inside the bodies: the mysql client strips them, and then db/schema.sql would
# install other bodies than init-db. Here instead: the time is UTC from SYSDATE(), which, unlike
# NOW() and UTC_TIMESTAMP(), ignores a caller's SET timestamp; an existing throttle row is read
# FOR UPDATE, so parallel tries for one email queue up instead of sharing one window. An email
# without a row is not locked: a locking read of a missing row takes a gap lock, and two failed
# logins holding the same gap while inserting their rows deadlock (1213). For the same reason a
# right password deletes the row only where there is one.
THROTTLE_WAIT = Procedure(
    "sr_throttle_wait",
    """(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    OUT p_wait INT,
    OUT p_now DATETIME(6)
)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'StudentRes (internal): seconds this email waits before the next login try'""",
    f"""BEGIN
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
    IF v_failures >= {FREE_FAILURES} THEN
        SET p_wait = CEIL(
            LEAST({BASE_DELAY_SECONDS} << LEAST(v_failures - {FREE_FAILURES}, 20),
                  {MAX_DELAY_SECONDS})
            - TIMESTAMPDIFF(MICROSECOND, v_last, p_now) / 1000000);
        IF p_wait < 0 THEN
            SET p_wait = 0;
        END IF;
    END IF;
END""",
)

CHECK_PROOF = Procedure(
    "sr_check_proof",
    """(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_proof VARCHAR(255) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_student_id INT,
    OUT p_role VARCHAR(16) CHARSET utf8mb4
)
    MODIFIES SQL DATA
    SQL SECURITY INVOKER
    COMMENT 'StudentRes (internal): compare a proof with the stored hash, count the try'""",
    """BEGIN
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
END""",
)

LOGIN_CHALLENGE = Procedure(
    "sr_login_challenge",
    """(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_setting VARCHAR(255) CHARSET utf8mb4
)
    READS SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: the salt and cost of one account''s hash, or how long to wait'""",
    f"""BEGIN
    DECLARE v_now DATETIME(6);
    SET p_setting = NULL;
    CALL sr_throttle_wait(p_email, p_retry_after, v_now);
    IF p_retry_after = 0 THEN
        SELECT MAX(IF(CHAR_LENGTH(password_hash) > {BCRYPT_DIGEST_CHARS} + 28,
                      LEFT(password_hash, CHAR_LENGTH(password_hash) - {BCRYPT_DIGEST_CHARS}),
                      NULL))
            INTO p_setting FROM students_data WHERE email = p_email;
    END IF;
END""",
)

LOGIN_ATTEMPT = Procedure(
    "sr_login_attempt",
    """(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_proof VARCHAR(255) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_student_id INT,
    OUT p_role VARCHAR(16) CHARSET utf8mb4
)
    MODIFIES SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: log in with a proof; counts failures and applies the throttle'""",
    """BEGIN
    CALL sr_check_proof(p_email, p_proof, p_retry_after, p_student_id, p_role);
END""",
)

CHANGE_PASSWORD = Procedure(
    "sr_change_password",
    """(
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_proof VARCHAR(255) CHARSET utf8mb4,
    IN p_new_hash VARCHAR(255) CHARSET utf8mb4,
    OUT p_retry_after INT,
    OUT p_student_id INT
)
    MODIFIES SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: store a new hash for whoever proves the current password'""",
    """BEGIN
    DECLARE v_role VARCHAR(16) CHARSET utf8mb4;
    CALL sr_check_proof(p_email, p_proof, p_retry_after, p_student_id, v_role);
    IF p_student_id IS NOT NULL THEN
        UPDATE students_data SET password_hash = p_new_hash WHERE id = p_student_id;
    END IF;
END""",
)

REGISTER = Procedure(
    "sr_register",
    """(
    IN p_name VARCHAR(100) CHARSET utf8mb4,
    IN p_email VARCHAR(254) CHARSET utf8mb4,
    IN p_password_hash VARCHAR(255) CHARSET utf8mb4,
    OUT p_student_id INT
)
    MODIFIES SQL DATA
    SQL SECURITY DEFINER
    COMMENT 'StudentRes: register a student account (a taken email fails with error 1062)'""",
    """BEGIN
    INSERT INTO students_data (name, email, password_hash)
        VALUES (p_name, p_email, p_password_hash);
    SET p_student_id = LAST_INSERT_ID();
END""",
)

# In creation order: a procedure may only be called once the ones it calls exist.
PROCEDURES: tuple[Procedure, ...] = (
    THROTTLE_WAIT,
    CHECK_PROOF,
    LOGIN_CHALLENGE,
    LOGIN_ATTEMPT,
    CHANGE_PASSWORD,
    REGISTER,
)
